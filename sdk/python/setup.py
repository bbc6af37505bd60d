import pathlib

from setuptools import find_packages, setup

here = pathlib.Path(__file__).parent.resolve()
long_description = (here / "README.md").read_text(encoding="utf-8")

setup(
    name="tuneforge-client",
    version="1.0.0",
    description="A client library for accessing tuneforge",
    long_description=long_description,
    long_description_content_type="text/markdown",
    packages=find_packages(),
    python_requires=">=3.11, <4",
    install_requires=["httpx >= 0.23.1, < 0.29.0", "attrs >= 22.2.0", "click >= 8.1"],
    package_data={"tuneforge_client": ["py.typed"], "tuneforge": ["py.typed"]},
    extras_require={
        "model": [
            "joblib>=1.6.0,<2",
            "numpy>=2.4.6,<3",
            "pandas>=3.1.1,<4",
            "scikit-learn==1.9.1",
            "skops>=0.16.0,<0.17",
        ]
    },
)
