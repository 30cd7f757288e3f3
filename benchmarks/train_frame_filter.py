"""Train the candidate-frame filter and print its essay-grouped cross-validation.

Trains on the starter corpus (seed gold) and the dev set's ``tune`` half only; the held-out half is
never read. From the repository root::

    PYTHONPATH=. python benchmarks/train_frame_filter.py --out corpus_tools/data/frame_filter.json
"""
from __future__ import annotations

import argparse

from corpus_tools.framing.train_filter import collect_candidates, train


def main(argv: list[str] | None = None) -> None:
    from corpus_tools.framing.evaluate import load_gold, load_split
    from corpus_tools.load import load_corpus

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--starter", default="corpus")
    ap.add_argument("--starter-gold", default="tests/data/seed_contrasts.csv")
    ap.add_argument("--dev", default="tests/data/dev/essays")
    ap.add_argument("--dev-gold", default="tests/data/dev/gold_contrasts.csv")
    ap.add_argument("--split", default="tests/data/dev/split.csv")
    ap.add_argument("--half", default="tune", help="the dev half to train on (never the held-out one)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--permissive", action="store_true",
                    help="also learn from the candidates of a permissive grammar (no check, no class requiring "
                         "its new side): many more negatives")
    ap.add_argument("--out", default=None, help="write the model JSON here")
    args = ap.parse_args(argv)
    from corpus_tools.parse import load_spacy_model

    nlp = load_spacy_model()
    halves = load_split(args.split)
    tune = [d for d, h in halves.items() if h == args.half]
    sets = [collect_candidates(load_corpus(args.starter), load_gold(args.starter_gold), "starter", nlp=nlp,
                               permissive=args.permissive),
            collect_candidates(load_corpus(args.dev), load_gold(args.dev_gold), f"dev-{args.half}",
                               doc_ids=tune, nlp=nlp, permissive=args.permissive)]
    model, cv = train(sets, seed=args.seed)
    best = cv["best"]
    print(f"candidates {cv['n_candidates']} ({cv['n_positive']} matching gold) in {cv['n_essays']} essays")
    u = cv["unfiltered"]
    print(f"grouped 5-fold CV, unfiltered: P {u['precision']:.3f} R {u['recall']:.3f} F1 {u['f1']:.3f}")
    print(f"grouped 5-fold CV, filtered (C={best['C']}, threshold={best['threshold']}): "
          f"P {best['precision']:.3f} R {best['recall']:.3f} F1 {best['f1']:.3f}")
    top = sorted(model.coefficients_.items(), key=lambda kv: -abs(kv[1]))[:15]
    for name, coef in top:
        print(f"  {coef:+.3f}  {name}")
    if args.out:
        model.save(args.out, trained_on=["starter corpus (seed gold)", f"dev {args.half} half"], seed=args.seed,
                   C=best["C"], cv={"folds": 5, "grouped_by": "essay", "unfiltered": u,
                                    "filtered": {k: best[k] for k in ("precision", "recall", "f1")}})
        print(f"wrote {args.out}")




if __name__ == "__main__":
    main()
