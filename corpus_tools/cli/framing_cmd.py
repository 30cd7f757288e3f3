"""``corpus-tools framing``: contrast frames and each concept's trajectory; ``framing eval`` scores them."""
from __future__ import annotations

from pathlib import Path

import click

from ._common import (
    DefaultCommandGroup, InputError, cache_option, corpus_path_argument, discourse_option, echo_json, frame_records,
    frames_option, json_option, library_errors, out_option, show_progress,
)


def _progress(enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return lambda items: tqdm(items, desc="documents", unit="doc", leave=False)


def _run(path: Path, lexicon: Path | None, cache_dir: Path | None, frames: Path | None = None,
         discourse: Path | None = None):
    from ..framing import analyze_framing
    from ..framing.discourse import load_discourse
    from ..framing.grammar import load_grammar
    from ..lexicon import load_lexicon
    from ..load import load_corpus

    lex = load_lexicon(lexicon)  # a bad lexicon or frame grammar stops the run before any parsing
    grammar = load_grammar(frames)
    pairs = load_discourse(discourse)
    loaded = load_corpus(path)
    return loaded, analyze_framing(loaded, lexicon=lex, cache_dir=cache_dir, progress=_progress(show_progress()),
                                   frames=grammar, discourse=pairs)


def _resolve_concept(result, name: str) -> str:
    labels = result.labels or {}
    wanted = name.strip().lower()
    for cid, label in labels.items():
        if wanted in (cid.lower(), str(label).lower(), cid.lower().replace("_", " ")):
            return cid
    known = sorted(set(result.profiles["concept"])) if len(result.profiles) else []
    if wanted in known:
        return wanted
    raise InputError(f"unknown concept {name!r}; concepts found here: {', '.join(known) or 'none'}")


@click.group(cls=DefaultCommandGroup, default="show")
def framing() -> None:
    """Contrast frames and how each concept's framing shifts (default), or score against gold (eval).

    \b
    corpus-tools framing PATH [--concept NAME] [--lexicon FILE] [--frames FILE] [--discourse FILE] [--json] [--out DIR]
    corpus-tools framing eval PATH GOLD.csv [--split SPLIT.csv] [--frames FILE] [--discourse FILE]
    """


@framing.command("show")
@corpus_path_argument
@click.option("--concept", "concept", default=None, help="Only this concept (id or label).")
@click.option("--lexicon", "lexicon", type=click.Path(path_type=Path), default=None,
              help="Concept lexicon (TOML) [default: the built-in retail lexicon].")
@frames_option
@discourse_option
@json_option
@out_option
@cache_option
def show_cmd(path: Path, concept: str | None, lexicon: Path | None, frames: Path | None, discourse: Path | None,
             as_json: bool,
             out: Path | None, cache_dir: Path | None) -> None:
    """Contrast frames in PATH ("not X, but Y", "from X to Y", ...) and each concept's trajectory
    across the essays (by date where known, else file order).

    --out DIR writes framing_contrasts.csv, framing_orientation.csv, framing_profiles.csv,
    framing_shifts.csv and framing_summaries.csv.
    """
    with library_errors():
        loaded, result = _run(path, lexicon, cache_dir, frames, discourse)
        contrasts, profiles, shifts, summaries = result.contrasts, result.profiles, result.shifts, result.summaries
        orientation = result.orientation
        if concept is not None:
            cid = _resolve_concept(result, concept)
            has = lambda col: contrasts[col].map(lambda v: cid in [x.strip() for x in str(v).split(";")])  # noqa: E731
            contrasts = contrasts[has("old_concept") | has("new_concept")]
            orientation = orientation[orientation["concept"] == cid]
            profiles = profiles[profiles["concept"] == cid]
            shifts = shifts[shifts["concept"] == cid]
            summaries = summaries[(summaries["scope"] == "concept") & (summaries["key"] == cid)]
        written = result.write(out, loaded.root) if out is not None else []
    if as_json:
        echo_json({
            "path": str(path),
            "contrasts": frame_records(contrasts),
            "orientation": frame_records(orientation),
            "profiles": frame_records(profiles),
            "shifts": frame_records(shifts),
            "summaries": frame_records(summaries),
        })
        return
    from .._plain import plural

    click.echo(f"{path}: {plural(len(contrasts), 'contrast frame')} in {plural(len(loaded.doc_ids), 'document')} "
               f"({int((contrasts['speaker'] == 'others').sum())} attributed to others)")
    click.echo("")
    for doc_id, group in contrasts.groupby("doc_id", sort=False):
        click.echo(f"{result.titles.get(doc_id, doc_id)} [{doc_id}]")
        for row in group.itertuples(index=False):
            old = row.old or "-"
            new = row.new or "(nothing named)"
            concepts = ""
            if row.old_concept or row.new_concept:
                concepts = f"   [{row.old_concept or '-'} -> {row.new_concept or '-'}]"
            who = "  (others' view)" if row.speaker == "others" else ""
            click.echo(f"  {row.sent_id.split('-', 1)[-1]}  {row.cue}: \"{old}\" -> \"{new}\"{concepts}{who}")
        click.echo("")
    concept_summaries = summaries[summaries["scope"] == "concept"]
    if len(concept_summaries):
        click.echo("Trajectories:")
        for row in concept_summaries.itertuples(index=False):
            click.echo(f"  {row.text}")
        click.echo("")
    if len(shifts):
        click.echo("Shifts between consecutive essays:")
        for row in shifts.itertuples(index=False):
            drift = "" if row.drift != row.drift else f" (drift {row.drift:.2f})"
            click.echo(f"  {row.from_doc[:16]} -> {row.to_doc[:16]}{drift}: {row.change}")
        click.echo("")
    doc_summaries = summaries[summaries["scope"] == "document"]
    if len(doc_summaries):
        click.echo("Essays:")
        for row in doc_summaries.itertuples(index=False):
            click.echo(f"  {row.text}")
    head_summaries = summaries[summaries["scope"] == "reframing"]
    if len(head_summaries):
        click.echo("")
        click.echo("Reframings by head term (sides naming no lexicon concept):")
        for row in head_summaries.head(10).itertuples(index=False):
            click.echo(f"  {row.text}")
    for file in written:
        click.echo(f"Wrote {file}")


@framing.command("eval")
@corpus_path_argument
@click.argument("gold", type=click.Path(path_type=Path))
@click.option("--split", "split", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="CSV with columns file, half: also score each half of the essays on its own.")
@click.option("--lexicon", "lexicon", type=click.Path(path_type=Path), default=None,
              help="Concept lexicon (TOML) [default: the built-in retail lexicon].")
@frames_option
@discourse_option
@json_option
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Write framing_eval_scores.csv and framing_eval_gold.csv (each gold row, matched or not).")
@cache_option
@click.option("--show-errors", is_flag=True, help="List missed gold rows and unmatched found frames.")
@click.option("--bootstrap", "n_resamples", type=click.IntRange(min=1), default=None, metavar="N",
              help="Also give a 95% interval for precision, recall and F1 from N resamples of the essays "
                   "(seeded, so the same input gives the same interval).")
def eval_cmd(path: Path, gold: Path, split: Path | None, lexicon: Path | None, frames: Path | None,
             discourse: Path | None, as_json: bool,
             out: Path | None, cache_dir: Path | None, show_errors: bool, n_resamples: int | None) -> None:
    """Score the contrast frames found in PATH against GOLD.csv: precision, recall and F1 overall and
    for core and hard rows, by the gold README's matching rule.

    GOLD.csv has the columns of seed_contrasts.csv; a column 'file' (an essay's file name, as in a
    folder's gold_contrasts.csv) may stand for 'doc'. With --split, each half is scored too.
    --out DIR writes framing_eval_scores.csv (one row per half and level) and framing_eval_gold.csv
    (every gold row, matched or not). --bootstrap N adds, per half, the interval in which 95% of
    N essay resamples land (and writes framing_eval_intervals.csv with --out).
    """
    from ..framing.evaluate import (
        GoldFileError, bootstrap_scores, load_gold, load_split, matched_table, score_by_half, score_frames,
        unmatched_found,
    )

    if not gold.is_file():
        raise InputError(f"{gold}: no such gold file")
    if split is not None and not split.is_file():
        raise InputError(f"{split}: no such split file")
    try:
        gold_df = load_gold(gold)
        halves = load_split(split) if split is not None else None
    except GoldFileError as exc:
        raise InputError(str(exc)) from None
    with library_errors():
        loaded, result = _run(path, lexicon, cache_dir, frames, discourse)
        if halves is not None:
            unknown = sorted(set(halves) - set(loaded.doc_ids))
            if unknown:
                raise InputError(f"{split}: {len(unknown)} file(s) not in {path}, e.g. {unknown[0]}")
            by_half = score_by_half(result.contrasts, gold_df, halves, loaded.sentences)
        else:
            by_half = {"all": score_frames(result.contrasts, gold_df, loaded.sentences)}
        intervals = {}
        if n_resamples is not None:
            essays_of = {"all": [d for d in loaded.doc_ids if halves is None or d in halves]}
            for half in set(halves.values()) if halves is not None else ():
                essays_of[half] = [d for d in loaded.doc_ids if halves[d] == half]
            intervals = {half: bootstrap_scores(result.contrasts, gold_df, loaded.sentences, doc_ids=essays_of[half],
                                                n_resamples=n_resamples)
                         for half in by_half}
        written = []
        if out is not None:
            import pandas as pd

            from .._fileio import prepare_output_dir, write_table

            folder = prepare_output_dir(out, loaded.root)
            score_rows = pd.DataFrame([{"half": half, "rows": level, **s.as_dict()}
                                       for half, scores in by_half.items() for level, s in scores.items()])
            written = [write_table(score_rows, folder / "framing_eval_scores.csv"),
                       write_table(matched_table(result.contrasts, gold_df, loaded.sentences),
                                   folder / "framing_eval_gold.csv")]
            if intervals:
                rows = pd.concat([t.assign(half=h) for h, t in intervals.items()], ignore_index=True)
                written.append(write_table(rows[["half", *rows.columns[:-1]]], folder / "framing_eval_intervals.csv"))
    if as_json:
        payload = {"path": str(path), "gold": str(gold),
                   "scores": {k: v.as_dict() for k, v in by_half["all"].items()}}
        if halves is not None:
            payload["split"] = str(split)
            payload["halves"] = {h: {k: v.as_dict() for k, v in sc.items()} for h, sc in by_half.items() if h != "all"}
        if intervals:
            payload["intervals"] = {h: frame_records(t) for h, t in intervals.items()}
        if show_errors:
            payload["missed"] = frame_records(_missed(matched_table(result.contrasts, gold_df, loaded.sentences)))
            payload["unmatched"] = frame_records(unmatched_found(result.contrasts, gold_df, loaded.sentences)[
                ["doc_id", "sent_id", "cue", "old", "new"]])
        echo_json(payload)
        return
    click.echo(f"{path} against {gold}: {len(result.contrasts)} frames found, {len(gold_df)} gold rows")
    for half, scores in by_half.items():
        if halves is not None:
            click.echo(f"{half}:")
        click.echo(f"  {'rows':<5} {'precision':>9} {'recall':>7} {'F1':>6}   matched found/gold")
        for level, s in scores.items():
            click.echo(f"  {level:<5} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}   "
                       f"{s.matched_found}/{s.n_found} found, {s.matched_gold}/{s.n_gold} gold")
        if half in intervals:
            t = intervals[half].set_index("metric")
            ranges = "  ".join(f"{name} {t.at[m, 'low']:.2f}-{t.at[m, 'high']:.2f}"
                               for m, name in (("precision", "P"), ("recall", "R"), ("f1", "F1")))
            click.echo(f"  95% of {n_resamples} resamples of its {int(t.at['f1', 'n_essays'])} essays: {ranges}")
    if show_errors:
        missed = _missed(matched_table(result.contrasts, gold_df, loaded.sentences))
        click.echo("")
        click.echo(f"Missed gold rows ({len(missed)}):")
        for row in missed.itertuples(index=False):
            click.echo(f"  {row.doc} [{row.level}] {row.cue}: \"{row.old}\" -> \"{row.new}\"")
        extra = unmatched_found(result.contrasts, gold_df, loaded.sentences)
        click.echo(f"Found frames matching no gold row ({len(extra)}):")
        for row in extra.itertuples(index=False):
            click.echo(f"  {row.sent_id} {row.cue}: \"{row.old}\" -> \"{row.new}\"")
    for file in written:
        click.echo(f"Wrote {file}")


def _missed(table):
    return table[~table["matched"]][["doc", "level", "cue", "old", "new"]]
