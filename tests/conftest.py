"""Shared fixtures: the starter corpus and models, loaded once per session."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO / "corpus"
DATA_DIR = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    """Keep every test's caches out of the user's home."""
    import os

    cache = tmp_path_factory.mktemp("cache")
    old = os.environ.get("CORPUS_TOOLS_CACHE_DIR")
    os.environ["CORPUS_TOOLS_CACHE_DIR"] = str(cache)
    # The static embedding model is distilled from MiniLM once (minutes), then kept in the
    # checkout (git-ignored) for every later session instead of once per session's temp cache.
    old_models = os.environ.get("CORPUS_TOOLS_MODEL_DIR")
    os.environ.setdefault("CORPUS_TOOLS_MODEL_DIR", str(REPO / ".model-cache"))
    yield cache
    for name, value in (("CORPUS_TOOLS_CACHE_DIR", old), ("CORPUS_TOOLS_MODEL_DIR", old_models)):
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS_DIR


@pytest.fixture(scope="session")
def starter_corpus():
    from corpus_tools.load import load_corpus

    return load_corpus(CORPUS_DIR)


@pytest.fixture(scope="session")
def nlp():
    """The trained spaCy pipeline, loaded once."""
    from corpus_tools.parse import load_spacy_model

    return load_spacy_model()


@pytest.fixture(scope="session")
def parsed_starter(starter_corpus, nlp, tmp_path_factory):
    """Parsed documents of the starter corpus (a list: the corpus is small)."""
    from corpus_tools.parse import Parser

    parser = Parser(nlp=nlp, cache_dir=tmp_path_factory.mktemp("parse-cache")).fit()
    return list(parser.iter_parse(starter_corpus))


@pytest.fixture(scope="session")
def extractor(nlp):
    """The contrast-frame reader with the built-in grammar, fitted once on the trained pipeline
    (modules that test the whole framing stage define their own ``extractor``)."""
    from corpus_tools.framing import ContrastExtractor

    return ContrastExtractor().fit(nlp)


@pytest.fixture(scope="session")
def blank_nlp():
    import spacy

    return spacy.blank("en")


@pytest.fixture(scope="session")
def gold_contrasts() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "seed_contrasts.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def gold_additive_negatives() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "seed_additive_negatives.csv", dtype=str, keep_default_na=False)


def doc_id_for_prefix(corpus, prefix: str) -> str:
    """The starter corpus' doc_id whose file name starts with a gold three-digit prefix."""
    matches = [d for d in corpus.doc_ids if d.startswith(prefix)]
    assert len(matches) == 1, (prefix, matches)
    return matches[0]


DEV_DIR = DATA_DIR / "dev"
#: The dev essays and their metadata.csv; the gold, the split and the README sit one level up.
DEV_ESSAYS = DEV_DIR / "essays"


@pytest.fixture(scope="session")
def dev_split() -> pd.DataFrame:
    """The fixed split of the dev essays by file: ``tune`` (rules may be developed on it) and ``heldout``."""
    return pd.read_csv(DEV_DIR / "split.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def dev_corpus(dev_split, tmp_path_factory):
    """The 30 dev essays (with their metadata) as a corpus."""
    from corpus_tools.load import load_corpus

    corpus = load_corpus(DEV_ESSAYS)
    assert sorted(corpus.documents["path"].map(lambda p: Path(p).name)) == sorted(dev_split["file"])
    return corpus


@pytest.fixture(scope="session")
def parsed_dev(dev_corpus, nlp, tmp_path_factory):
    """Parsed dev essays (parsed once per session)."""
    from corpus_tools.parse import Parser

    parser = Parser(nlp=nlp, cache_dir=tmp_path_factory.mktemp("dev-parse-cache")).fit()
    return list(parser.iter_parse(dev_corpus))


@pytest.fixture(scope="session")
def dev_framing(dev_corpus, parsed_dev, nlp):
    """The framing result on the dev essays with the built-in grammar and lexicon."""
    from corpus_tools.framing import analyze_framing

    return analyze_framing(dev_corpus, parsed=parsed_dev, nlp=nlp)


@pytest.fixture(scope="session")
def starter_framing(starter_corpus, parsed_starter, nlp):
    """The framing result on the starter corpus with the built-in grammar and lexicon."""
    from corpus_tools.framing import analyze_framing

    return analyze_framing(starter_corpus, parsed=parsed_starter, nlp=nlp)


@pytest.fixture(scope="session")
def dev_gold_contrasts() -> pd.DataFrame:
    from corpus_tools.framing.evaluate import load_gold

    return load_gold(DEV_DIR / "gold_contrasts.csv")


@pytest.fixture(scope="session")
def dev_gold_negatives() -> pd.DataFrame:
    return pd.read_csv(DEV_DIR / "gold_negatives.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def dask_client():
    """A 2-worker Dask LocalCluster (processes, one thread each) for the whole session; its
    workers load the spaCy model once, on their first batch."""
    distributed = pytest.importorskip("distributed")
    import logging

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=logging.ERROR)
    client = distributed.Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


def make_generated_corpus(folder: Path, docs: int, words: int, seed: int = 0) -> Path:
    """``benchmarks/make_corpus.py``'s corpus of ``docs`` distinct essays (deterministic)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_make_corpus", REPO / "benchmarks" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_corpus(folder, docs, source=CORPUS_DIR, seed=seed, words=words)
    return folder
