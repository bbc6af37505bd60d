// How a scikit-learn scorer's numbers read to a person. A scorer is "higher is better", so
// scikit-learn negates the errors (neg_root_mean_squared_error is −RMSE): the plots and
// tables show the error itself (RMSE, lower is better) and say so. Ranking stays the
// API's: the best trial is the one with the highest score.

const ERRORS = {
  neg_root_mean_squared_error: "RMSE",
  neg_mean_squared_error: "MSE",
  neg_mean_absolute_error: "MAE",
  neg_median_absolute_error: "median absolute error",
  neg_mean_absolute_percentage_error: "MAPE",
  neg_log_loss: "log loss",
};
// The values each scorer can take (as shown): an axis never runs past them.
const UNIT = [0, 1];
const BOUNDS = {
  accuracy: UNIT,
  balanced_accuracy: UNIT,
  average_precision: UNIT,
  matthews_corrcoef: [-1, 1],
  r2: [-Infinity, 1],
  explained_variance: [-Infinity, 1],
};
const UNIT_PREFIXES = ["roc_auc", "f1", "precision", "recall", "jaccard"];

export function metric(scoring) {
  const name = String(scoring || "score");
  const error = name.startsWith("neg_");
  const label = error ? ERRORS[name] || name.slice(4).replaceAll("_", " ") : name;
  let bounds = BOUNDS[name] || [-Infinity, Infinity];
  if (UNIT_PREFIXES.some((p) => name === p || name.startsWith(`${p}_`))) bounds = UNIT;
  if (error) bounds = [0, Infinity];
  return {
    scoring: name,
    label,
    error,
    sign: error ? -1 : 1,
    bounds,
    better: error ? "lower is better" : "higher is better",
    axis: `${label} (${error ? "lower" : "higher"} is better)`,
    note: error ? `${label} is scikit-learn's ${name} negated: lower is better.` : "",
    // a score as the API gives it → as shown
    shown: (score) => (score == null ? null : error ? -score : score),
  };
}
