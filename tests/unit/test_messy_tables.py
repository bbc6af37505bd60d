"""Tables as people really upload them, from the file to predictions on raw rows.

Each case writes one messy CSV, then does what a job does: read_table, profile_columns,
plan_columns and build_preprocessor in a Pipeline, fitted on the table without its target.
The fitted pipeline then predicts on raw rows as a client would send them, with unseen
values and gaps.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from models.engine.preprocess import MAX_TOP_CATEGORIES, build_preprocessor, plan_columns
from models.engine.reading import Reading
from models.engine.tables import load_table, profile_columns, read_table

N_ROWS = 120
PHRASES = [
    "the delivery was late",
    "staff were friendly and helpful",
    "the product broke after two weeks",
    "would buy again",
    "great value for money",
    "terrible packaging",
    "arrived quickly",
]


@dataclass(frozen=True)
class Upload:
    """One messy table, how it is written, and what preprocessing should make of it."""

    header: list[str]
    rows: list[list[Any]]
    target: str
    treatments: dict[str, str]  # feature column -> expected treatment
    new_rows: list[dict[str, Any]]  # raw rows to predict: unseen values and gaps
    delimiter: str = ","
    line_end: str = "\n"
    bom: bool = False
    reason_words: dict[str, str] = field(default_factory=dict)  # column -> word in reason
    features: frozenset[str] = frozenset()  # output features that must exist

    def csv_bytes(self) -> bytes:
        """The table as a spreadsheet would save it: minimal quoting, empty cells for gaps."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=self.delimiter, lineterminator=self.line_end)
        writer.writerows([self.header, *self.rows])
        return ("\ufeff" if self.bom else "").encode() + out.getvalue().encode()


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def gap(value: Any, r: np.random.Generator, share: float = 0.15) -> Any:
    """``value``, or None (an empty cell) for about ``share`` of the calls."""
    return None if r.random() < share else value


def yes_no_booleans() -> Upload:
    r = rng(1)
    rows = [
        [
            int(r.integers(18, 80)),
            r.choice(["yes", "no"]),
            r.choice(["Yes", "No"]),
            "yes" if i % 2 else "no",
        ]
        for i in range(N_ROWS)
    ]
    return Upload(
        ["age", "smoker", "newsletter", "bought"],
        rows,
        target="bought",
        treatments={"age": "numeric", "smoker": "one_hot", "newsletter": "one_hot"},
        new_rows=[
            {"age": 40, "smoker": "sometimes", "newsletter": None},
            {"age": None, "smoker": "no", "newsletter": "Yes"},
        ],
        reason_words={"smoker": "boolean", "newsletter": "boolean"},
        features=frozenset({"one_hot__smoker_yes", "one_hot__newsletter_No"}),
    )


def true_false_with_gaps() -> Upload:
    r = rng(2)
    rows = [
        [gap(bool(r.random() < 0.5), r), round(float(r.normal(50_000, 9_000)), 2), i % 2]
        for i in range(N_ROWS)
    ]
    return Upload(
        ["member", "income", "churned"],
        rows,
        target="churned",
        treatments={"member": "one_hot", "income": "numeric"},
        new_rows=[
            {"member": None, "income": None},
            {"member": "unknown", "income": 52_000.0},
            {"member": True, "income": 48_000.0},
        ],
        reason_words={"member": "boolean"},
        features=frozenset({"one_hot__member_True", "one_hot__member_nan"}),
    )


def categories_with_gaps() -> Upload:
    r = rng(3)
    rows = [
        [
            gap(r.choice(["red", "green", "blue"]), r),
            gap(r.choice(["S", "M", "L", "XL"]), r),
            round(float(r.normal(2, 0.5)), 3),
            ["a", "b", "c"][i % 3],
        ]
        for i in range(N_ROWS)
    ]
    return Upload(
        ["colour", "size", "weight", "label"],
        rows,
        target="label",
        treatments={"colour": "one_hot", "size": "one_hot", "weight": "numeric"},
        new_rows=[
            {"colour": "purple", "size": None, "weight": None},
            {"colour": None, "size": "M", "weight": 1.5},
        ],
        features=frozenset({"one_hot__colour_nan", "one_hot__size_XL"}),
    )


def id_column() -> Upload:
    r = rng(4)
    rows = [
        [f"C{i:05d}", round(float(r.gamma(2, 30)), 2), int(r.integers(0, 20)), i % 2]
        for i in range(N_ROWS)
    ]
    return Upload(
        ["customer_id", "spend", "visits", "churned"],
        rows,
        target="churned",
        treatments={"customer_id": "dropped", "spend": "numeric", "visits": "numeric"},
        new_rows=[{"customer_id": "C99999", "spend": None, "visits": 3}],
        reason_words={"customer_id": "identifier"},
    )


def free_text() -> Upload:
    r = rng(5)
    rows = [
        [
            ", ".join(r.choice(PHRASES, 3)).capitalize() + ".",
            int(r.integers(1, 6)),
            r.choice(["web", "shop", "phone"]),
            "yes" if i % 2 else "no",
        ]
        for i in range(N_ROWS)
    ]
    return Upload(
        ["review", "stars", "channel", "recommend"],
        rows,
        target="recommend",
        treatments={"review": "dropped", "stars": "numeric", "channel": "one_hot"},
        new_rows=[
            {"review": "Words never seen here, honestly.", "stars": None, "channel": "fax"},
            {"review": None, "stars": 4, "channel": "web"},
        ],
        reason_words={"review": "free text"},
    )


def gaps_everywhere() -> Upload:
    r = rng(6)
    rows = [
        [
            gap(round(float(r.normal(1.7, 0.1)), 2), r, 0.3),
            gap(int(r.integers(1, 6)), r, 0.3),
            gap(r.choice(["Oslo", "Bergen", "Tromsø"]), r, 0.3),
            gap(bool(r.random() < 0.5), r, 0.3),
            None,
            "high" if i % 2 else "low",
        ]
        for i in range(N_ROWS)
    ]
    return Upload(
        ["height", "rooms", "city", "garden", "notes", "price_band"],
        rows,
        target="price_band",
        treatments={
            "height": "numeric",
            "rooms": "numeric",
            "city": "one_hot",
            "garden": "one_hot",
            "notes": "dropped",
        },
        new_rows=[
            {"height": None, "rooms": None, "city": None, "garden": None, "notes": None},
            {"height": 1.8, "rooms": None, "city": "Atlantis", "garden": None, "notes": "new"},
        ],
        reason_words={"notes": "every value is missing"},
    )


def quoted_commas_and_newlines() -> Upload:
    r = rng(7)
    notes = ["late, again\nsecond line", "on time", 'lost; then "found"']
    rows = [[r.choice(notes), round(float(r.normal(2, 1)), 2), i % 2] for i in range(N_ROWS)]
    return Upload(
        ["note", "weight", "ok"],
        rows,
        target="ok",
        treatments={"note": "one_hot", "weight": "numeric"},
        new_rows=[{"note": "new, unseen\nnote", "weight": None}, {"note": None, "weight": 2.0}],
        features=frozenset(
            {"one_hot__note_late, again\nsecond line", 'one_hot__note_lost; then "found"'}
        ),
    )


def non_ascii_names() -> Upload:
    r = rng(8)
    firsts = ["José", "Zoë", "Åsa", "Jürgen", "Søren", "Inès", "Łukasz", "Chloé", "Ngọc", "陈"]
    lasts = ["García", "Müller", "Øvergård", "Dvořák", "Nuñez", "SSmith", "Ólafsson", "李"]
    names = [f"{first} {last}" for first in firsts for last in lasts][:N_ROWS]
    rows = [
        [
            round(float(r.normal(20, 5)), 2),
            r.choice(["klein", "mittel", "groß"]),
            names[i % len(names)],
            gap(r.choice(["été", "hiver"]), r),
            "oui" if i % 2 else "non",
        ]
        for i in range(N_ROWS)
    ]
    return Upload(
        ["prix_€", "größe", "名前", "catégorie", "acheté"],
        rows,
        target="acheté",
        treatments={
            "prix_€": "numeric",
            "größe": "one_hot",
            "名前": "dropped",
            "catégorie": "one_hot",
        },
        new_rows=[{"prix_€": None, "größe": "riesig", "名前": "Zoë Ünal", "catégorie": None}],
        reason_words={"名前": "identifier"},
        features=frozenset({"one_hot__größe_groß", "one_hot__catégorie_été"}),
    )


def dialect(delimiter: str, line_end: str = "\n", bom: bool = False) -> Upload:
    """The same small table in one dialect: text with commas, and text as the last field."""
    r = rng(9)
    rows = [
        [
            round(float(r.normal(30, 8)), 1),
            r.choice(["Paris, FR", "Lyon, FR", "Genève, CH"]),
            "yes" if i % 2 else "no",
            gap(r.choice(["red", "green"]), r),
        ]
        for i in range(N_ROWS)
    ]
    return Upload(
        ["age", "city", "bought", "colour"],
        rows,
        target="bought",
        treatments={"age": "numeric", "city": "one_hot", "colour": "one_hot"},
        new_rows=[{"age": None, "city": "Nice, FR", "colour": "blue"}, {"age": 41.5}],
        delimiter=delimiter,
        line_end=line_end,
        bom=bom,
        # A leftover "\r" or BOM would show in these names; "red" is the last field of a line.
        features=frozenset({"numeric__age", "one_hot__city_Paris, FR", "one_hot__colour_red"}),
    )


CASES = {
    "yes-no-booleans": yes_no_booleans(),
    "true-false-with-gaps": true_false_with_gaps(),
    "categories-with-gaps": categories_with_gaps(),
    "id-column": id_column(),
    "free-text": free_text(),
    "gaps-everywhere": gaps_everywhere(),
    "quoted-commas-and-newlines": quoted_commas_and_newlines(),
    "non-ascii-names": non_ascii_names(),
    "utf8-bom": dialect(",", bom=True),
    "crlf": dialect(",", line_end="\r\n"),
    "semicolons": dialect(";"),
    "tabs": dialect("\t"),
    "pipes-bom-crlf": dialect("|", line_end="\r\n", bom=True),
}


def client_frames(case: Upload) -> dict[str, pd.DataFrame]:
    """The rows to predict as clients build them: from dicts, and read from a CSV by pandas.

    pandas reads a column with only empty cells as float64, even where the table had text.
    """
    columns = list(case.treatments)
    records = pd.DataFrame(case.new_rows, columns=columns)
    out = io.StringIO()
    records.to_csv(out, sep=case.delimiter, index=False)
    out.seek(0)
    return {"records": records, "read_csv": pd.read_csv(out, sep=case.delimiter)}


def fit_upload(path: Path, target: str, *, tree_based: bool = False) -> tuple[Pipeline, Any]:
    """Read, profile, plan and fit as a job does; return the fitted pipeline and the plan."""
    df = read_table(path, max_rows=10_000, max_columns=50)
    X, y = df.drop(columns=[target]), df[target]
    profiles = {p.name: p.to_dict() for p in profile_columns(df)}
    plan = plan_columns([profiles[str(c)] for c in X.columns], len(X), tree_based=tree_based)
    model = LogisticRegression(max_iter=1000)
    pipeline = Pipeline([("preprocess", build_preprocessor(plan)), ("model", model)])
    return pipeline.fit(X, y), plan


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_messy_upload_is_planned_fitted_and_predicts_on_raw_rows(tmp_path, case):
    # given a messy upload written to disk
    path = tmp_path / "upload.csv"
    path.write_bytes(case.csv_bytes())
    # when a pipeline is planned and fitted on it, and raw rows with unseen values and
    # gaps are predicted, built from dicts and read from a CSV
    pipeline, plan = fit_upload(path, case.target)
    frames = client_frames(case)
    predictions = {how: pipeline.predict(rows) for how, rows in frames.items()}
    features = {how: pipeline[:-1].transform(rows) for how, rows in frames.items()}
    # then each column got the expected treatment, for the stated reason
    assert {t.column: t.treatment for t in plan} == case.treatments
    reasons = {t.column: t.reason for t in plan}
    for column, word in case.reason_words.items():
        assert word in reasons[column], reasons[column]
    # and the values came through intact, and every raw row gets a class seen in training
    names = set(pipeline.named_steps["preprocess"].get_feature_names_out())
    assert case.features <= names
    for how, rows in frames.items():
        assert np.isfinite(features[how]).all(), how
        assert len(predictions[how]) == len(rows), how
        assert set(predictions[how]) <= set(pipeline.classes_), how


# --- many-valued text ----------------------------------------------------------------------


@pytest.fixture
def orders_csv(tmp_path) -> Path:
    """2000 orders: a unique order id, a product among 500, an amount, and a yes/no target."""
    r = rng(10)
    products = [f"sku-{i:03d}" for i in r.integers(0, 500, 2000)]
    upload = Upload(
        ["order_id", "product", "amount", "returned"],
        [
            [f"ORD-{i:06d}", gap(products[i], r, 0.05), round(float(r.gamma(2, 20)), 2), i % 2]
            for i in range(2000)
        ],
        target="returned",
        treatments={},
        new_rows=[],
    )
    path = tmp_path / "orders.csv"
    path.write_bytes(upload.csv_bytes())
    return path


NEW_ORDERS = pd.DataFrame(
    {
        "order_id": ["ORD-999999", None],
        "product": ["sku-new", None],
        "amount": [None, 12.5],
    }
)


def test_ids_and_many_valued_text_stay_narrow_for_a_linear_model(orders_csv):
    # given 2000 orders with a unique id and a 500-value product column
    # when a pipeline is planned and fitted for a linear model
    pipeline, plan = fit_upload(orders_csv, "returned")
    pre = pipeline.named_steps["preprocess"]
    names = list(pre.get_feature_names_out())
    # then the id is dropped, the product keeps its most frequent values in a bounded
    # number of columns, and the whole table stays far from 500 columns
    assert {t.column: t.treatment for t in plan} == {
        "order_id": "dropped",
        "product": "one_hot_top",
        "amount": "numeric",
    }
    assert "2000 distinct values in 2000 rows: looks like an identifier" in plan[0].reason
    assert sum(n.startswith("one_hot_top__product_") for n in names) <= MAX_TOP_CATEGORIES
    assert len(names) < 60
    # and an unseen product and missing values still predict
    assert pre.transform(NEW_ORDERS).shape == (2, len(names))
    assert len(pipeline.predict(NEW_ORDERS)) == 2


def test_many_valued_text_is_one_integer_column_for_a_tree_model(orders_csv):
    # given the same orders
    # when the pipeline is planned for a tree-based model
    pipeline, plan = fit_upload(orders_csv, "returned", tree_based=True)
    pre = pipeline.named_steps["preprocess"]
    # then the product is a single integer column, -1 for unseen and missing products
    assert [t.treatment for t in plan] == ["dropped", "ordinal", "numeric"]
    assert list(pre.get_feature_names_out()) == ["numeric__amount", "ordinal__product"]
    assert pre.transform(NEW_ORDERS)[:, 1].tolist() == [-1, -1]


def test_messy_pipeline_survives_grid_search_cloning(tmp_path):
    # given a pipeline for a table with gaps everywhere, used as a GridSearchCV template
    case = CASES["gaps-everywhere"]
    path = tmp_path / "upload.csv"
    path.write_bytes(case.csv_bytes())
    template, _ = fit_upload(path, case.target)
    df = read_table(path, max_rows=10_000, max_columns=50)
    X, y = df.drop(columns=[case.target]), df[case.target]
    # when the search clones and fits it for every candidate and fold
    search = GridSearchCV(template, {"model__C": [0.1, 1.0]}, cv=3, error_score="raise")
    search.fit(X, y)
    # then every candidate scored, and the refit model predicts on raw rows
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert len(search.predict(pd.DataFrame(case.new_rows))) == len(case.new_rows)


# --- a European spreadsheet export and its standard twin -----------------------------------


def exports(n: int = 200) -> tuple[bytes, bytes, pd.DataFrame]:
    """The same table as a standard CSV and as a European export (semicolons, decimal
    commas, dots between thousands), and raw rows to predict. The label depends on the
    numbers only: read as text (dropped as identifiers), they would predict nothing."""
    r = rng(11)
    amount = r.uniform(0, 20_000, n).round(2)
    rate = r.normal(0, 2, n).round(2)
    label = np.where(amount / 1000 + rate > 10, "ja", "nein")
    region = r.choice(["Nord", "Süd"], n)

    def write(sep: str, number: Any) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=sep)
        writer.writerow(["betrag", "zins", "region", "kauf"])
        writer.writerows(zip(map(number, amount), map(number, rate), region, label, strict=True))
        return out.getvalue().encode()

    def european(x: float) -> str:
        return f"{x:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")

    rows = pd.DataFrame(
        {
            "betrag": [12_345.67, 800.0, None],
            "zins": [-1.5, 3.25, 0.0],
            "region": ["Süd", "Ost", None],
        }
    )
    return write(",", lambda x: f"{x:.2f}"), write(";", european), rows


def fit_recorded(path: Path, target: str) -> tuple[Pipeline, Any]:
    """As a job does: read and profile the upload, then read it again as the dataset
    recorded it (what a worker does), plan and fit."""
    table = load_table(path, max_rows=10_000, max_columns=50)
    profiles = [p.to_dict() for p in profile_columns(table.frame)]
    reading = Reading.recorded([w.to_dict() for w in table.warnings], profiles)
    df = read_table(path, max_rows=10_000, max_columns=50, reading=reading)
    X, y = df.drop(columns=[target]), df[target]
    by_name = {p["name"]: p for p in profiles}
    plan = plan_columns([by_name[str(c)] for c in X.columns], len(X), tree_based=False)
    model = LogisticRegression(max_iter=1000)
    pipeline = Pipeline([("preprocess", build_preprocessor(plan)), ("model", model)])
    return pipeline.fit(X, y), plan


def test_a_european_export_trains_the_same_model_as_its_standard_twin(tmp_path):
    # given a table as a standard CSV and as a European spreadsheet export
    standard, european, rows = exports()
    (tmp_path / "standard.csv").write_bytes(standard)
    (tmp_path / "european.csv").write_bytes(european)
    # when a model is fitted on each, as a job does
    twin, twin_plan = fit_recorded(tmp_path / "standard.csv", "kauf")
    model, plan = fit_recorded(tmp_path / "european.csv", "kauf")
    # then the numbers were numbers in both, each column treated alike
    assert plan == twin_plan
    assert {t.column: t.treatment for t in plan}["betrag"] == "numeric"
    # and both models predict the same on raw rows, as a client sends them
    np.testing.assert_allclose(model.predict_proba(rows), twin.predict_proba(rows))
    assert list(model.predict(rows)) == list(twin.predict(rows))
    # and the model learnt from the numbers: it fits its own rows
    df = read_table(tmp_path / "standard.csv", max_rows=10_000, max_columns=50)
    assert model.score(df.drop(columns=["kauf"]), df["kauf"]) > 0.9
