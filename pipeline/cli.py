"""Command line: ``python -m pipeline run --corpus DIR --out DIR [--jobs N] [--no-xlsx] [--parquet] [--no-report]``,
``python -m pipeline watch [--rules DIR]``, ``python -m pipeline report --out DIR`` and
``python -m pipeline explain TARGET``.

Exit codes: 0 every file processed, 1 some files failed (their rows in
articles.csv say why; the rest is written), 2 usage error, 3 the CSVs are
written but tables.xlsx, a Parquet file or the report could not be (one line on
stderr says why; 3 wins over 1), 130 interrupted.

``run --scheduler ADDRESS`` (or ``local:N``) parses on a Dask cluster; one that
cannot be reached, or a worker that differs from this machine, exits 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .cache import DEFAULT_CACHE
from .engine import server
from .output.locking import OutputBusy, OutputUnusable
from .prepare.files import DEFAULT_MAX_BYTES


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser(
        "run",
        help="process a corpus folder into CSV tables",
        description="Read every article under --corpus and write the tables to --out.",
    )
    run.add_argument("--corpus", type=Path, default=Path("corpus"), help="folder of article files (default: corpus)")
    run.add_argument("--out", type=Path, default=Path("outputs"), help="folder for the CSV tables (default: outputs)")
    run.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="parser processes (default: number of cores)"
    )
    run.add_argument("--cache", type=Path, default=None, help="parse cache folder (default: .cache)")
    run.add_argument(
        "--rules", type=Path, default=None, help="folder of rule files to use instead of the package's (a team's copy)"
    )
    run.add_argument(
        "--scheduler",
        default=os.environ.get("PIPELINE_SCHEDULER") or None,
        help="parse and extract on a Dask cluster: its scheduler's address (tcp://HOST:8786), or local:N for N "
        "worker processes here (default: $PIPELINE_SCHEDULER, else this machine's own worker processes)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    _format_options(run)
    run.add_argument(
        "--allow-empty",
        action="store_true",
        help="let a corpus with no article files replace existing tables with empty ones",
    )
    run.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        help=f"refuse files larger than this (default: {DEFAULT_MAX_BYTES:,}; an article is rarely over 200 KB)",
    )
    wat = sub.add_parser(
        "watch",
        help="run, then re-run on every change to the corpus or the rule files (Ctrl-C stops)",
        description="Load GiNZA and the rules once, run, then refresh the tables in --out on every change to "
        "--corpus or to the rule files, printing what changed. Holds --out while it runs.",
    )
    wat.add_argument("--corpus", type=Path, default=Path("corpus"), help="folder of article files (default: corpus)")
    wat.add_argument("--out", type=Path, default=Path("outputs"), help="folder for the tables (default: outputs)")
    wat.add_argument("--rules", type=Path, default=None, help="folder of rule files to watch and use")
    wat.add_argument("--cache", type=Path, default=None, help="parse cache folder (default: .cache)")
    wat.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parser processes for the first run")
    _format_options(wat)
    rep = sub.add_parser(
        "report",
        help="rebuild the HTML report from the tables already in --out (no parsing)",
        description="Rebuild outputs/report/ from the CSVs and clean texts of --out; --corpus (when present) "
        "gives the text of removed duplicate blocks.",
    )
    rep.add_argument("--out", type=Path, default=Path("outputs"), help="folder holding the tables (default: outputs)")
    rep.add_argument("--corpus", type=Path, default=Path("corpus"), help="the corpus the tables were made from")
    exp = sub.add_parser(
        "explain",
        help="show which rule produced each item of an article or a sentence",
        description="Parse one article (a file, an article id under --corpus, or a sentence "
        "given as text) and print every extracted item with its rule and tokens.",
    )
    exp.add_argument(
        "target",
        help="file path, article id, a Japanese sentence, or one row: agreements:<article_id>:<agreement_id> "
        "(also events:…:<event_id>, people:…:<person>, organizations:…:<organization>)",
    )
    exp.add_argument("--corpus", type=Path, default=Path("corpus"), help="where to look up an article id")
    exp.add_argument("--json", action="store_true", help="one row's explanation as JSON, for tools")
    return ap


def _format_options(command: argparse.ArgumentParser) -> None:
    """What a command writes besides the CSVs."""
    command.add_argument(
        "--no-xlsx", dest="xlsx", action="store_false", help="do not write tables.xlsx (an existing one is left)"
    )
    command.add_argument(
        "--parquet", action="store_true", help="also write parquet/<table>.parquet (typed columns, for pandas/DuckDB)"
    )
    command.add_argument(
        "--no-report", dest="report", action="store_false", help="do not write the HTML report (outputs/report/)"
    )


def _explain(args: argparse.Namespace) -> int:
    from . import explain_row
    from .explain import explain

    target = explain_row.parse_target(args.target)
    if target is None:
        if args.json:
            print("error: --json explains one row (agreements:<article_id>:<agreement_id>)", file=sys.stderr)
            return 2
        print(explain(args.target, args.corpus))
        return 0
    try:
        found = explain_row.explain_row(target, args.corpus)
    except explain_row.RowNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        import json

        print(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        print(explain_row.render(found))
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    if args.jobs > 1 and not args.scheduler:  # before the runner's own imports: spaCy and GiNZA load meanwhile
        server.start_for(args.cache or DEFAULT_CACHE)

    from .engine.runner import run_with_stats
    from .engine.workers import keep_freed_memory

    keep_freed_memory()  # this process parses too with --jobs 1, and prepares every article
    t0 = time.perf_counter()
    _, stats = run_with_stats(
        args.corpus,
        args.out,
        args.jobs,
        args.cache,
        progress=not args.quiet,
        reuse_outputs=True,
        max_bytes=args.max_bytes,
        allow_empty=args.allow_empty,
        xlsx=args.xlsx,
        parquet=args.parquet,
        report=args.report,
        scheduler=args.scheduler,
    )
    if not args.quiet:
        sizes = ", ".join(f"{name} {n}" for name, n in stats.table_sizes.items())
        elapsed = time.perf_counter() - t0
        took = f"{elapsed:.1f}s" if elapsed >= 0.1 else f"{elapsed * 1000:.0f}ms"
        print(
            f"{stats.files} files, {stats.failed} failed, {stats.near_duplicates} near-duplicates, "
            f"{stats.summary()} in {took} → {args.out}/ ({sizes})",
            file=sys.stderr,
        )
        for line in failure_lines(stats.errors):
            print(line, file=sys.stderr)
        if args.report and not stats.export_errors:
            print(f"report: open {args.out / 'report' / 'index.html'} in a browser", file=sys.stderr)
    for error in stats.export_errors:  # even with --quiet: the exit code alone would not say which file
        print(f"error: {error}", file=sys.stderr)
    return 3 if stats.export_errors else 1 if stats.failed else 0


def _watch(args: argparse.Namespace) -> int:
    from .engine.watch import Options, watch

    if not args.corpus.is_dir():
        raise NotADirectoryError(f"corpus folder not found: {args.corpus}")
    opts = Options(args.corpus, args.out, args.cache, max(1, args.jobs), args.xlsx, args.report, args.parquet)
    return watch(opts)


def _report(args: argparse.Namespace) -> int:
    from .output import report
    from .output.locking import OutputLock

    lock = OutputLock(args.out)
    lock.acquire()  # a run writing the tables meanwhile would be read half-written
    try:
        written = report.build(args.out, args.corpus if args.corpus.is_dir() else None)
    except report.ReportInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        lock.release()
    print(report.summary(written, args.out), file=sys.stderr)
    return 0


def failure_lines(errors: list[tuple[str, str]], shown: int = 3) -> list[str]:
    """The first ``shown`` failures as ``  path: reason``, then how many more (articles.csv lists them all)."""
    lines = [f"  {path}: {reason}" for path, reason in errors[:shown]]
    if len(errors) > shown:
        lines.append(f"  … and {len(errors) - shown} more (articles.csv says why)")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "rules", None) is not None:
        if not args.rules.is_dir():
            print(f"error: rules folder not found: {args.rules}", file=sys.stderr)
            return 2
        # before anything loads a rule file, and inherited by every worker process
        os.environ["PIPELINE_RULES"] = str(args.rules.resolve())
    try:
        commands = {"explain": _explain, "report": _report, "run": _run, "watch": _watch}
        return commands[args.command](args)
    except KeyboardInterrupt:
        print("interrupted: outputs left as they were before this run", file=sys.stderr)
        return 130
    except Exception as exc:
        from .engine.cluster import ClusterError  # light: Dask is imported only by the cluster's pool
        from .rulebook import RuleError  # not at import (YAML): the parser server starts first

        if not isinstance(exc, (NotADirectoryError, OutputBusy, OutputUnusable, RuleError, ClusterError)):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
