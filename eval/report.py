"""An ``EvalReport`` for people: metrics.json, report.md, PNG charts and a terminal table."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from careguide.eval.models import EvalReport

CHART_RECALL = "recall_at_k.png"
CHART_GRADES = "reading_grade.png"


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _signed(value: float) -> str:
    return f"{value:+.3f}"


def write_outputs(report: EvalReport, out: Path) -> list[Path]:
    """Write metrics.json, report.md and the charts into ``out``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "metrics.json", out / "report.md"]
    written[0].write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    written += _charts(report, out)
    written[1].write_text(markdown(report, [p.name for p in written[2:]]), encoding="utf-8")
    return written


def _charts(report: EvalReport, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    if report.systems:
        fig, ax = plt.subplots(figsize=(7, 4))
        ks = [1, 5, 10]
        for s in report.systems:
            values = [s.recall_at_1, s.recall_at_5, s.recall_at_10]
            ax.plot(ks, values, marker="o", linewidth=2.5 if s is report.systems[0] else 1.2)
            ax.lines[-1].set_label(s.name)
        ax.set(xlabel="k", ylabel="Recall@k", ylim=(0, 1.02), xticks=ks)
        ax.set_title(f"Recall@k per system ({report.answerable} answerable questions)")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
        fig.tight_layout()
        paths.append(out / CHART_RECALL)
        fig.savefig(paths[-1], dpi=120)
        plt.close(fig)
    graded = [m for m in report.answers if m.fk_grade_median is not None]
    if graded:
        fig, ax = plt.subplots(figsize=(7, 4))
        bars = ax.bar([m.mode for m in graded], [m.fk_grade_median or 0 for m in graded])
        ax.bar_label(bars, fmt="%.1f")
        ax.set(ylabel="Flesch-Kincaid grade (median)", xlabel="answer mode")
        ax.set_title("Reading grade of cited answers per mode")
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        paths.append(out / CHART_GRADES)
        fig.savefig(paths[-1], dpi=120)
        plt.close(fig)
    return paths


def markdown(report: EvalReport, charts: list[str]) -> str:
    """The report as Markdown: headline tables first, then breakdowns and misses."""
    lines = [f"# careguide eval: {report.gold or 'disclosures'}", ""]
    if report.items:
        lines += [
            f"{report.items} items ({report.answerable} answerable, {report.unanswerable} not) "
            f"on the library in `{report.data_dir}`; {report.created}; "
            f"{report.seconds.get('total', 0):.0f} s.",
        ]
        if report.drafts_skipped:
            lines.append(f"{report.drafts_skipped} draft items skipped (review them first).")
        lines += ["", "## Retrieval (answerable items, top 10)", ""]
        lines += [
            "| system | units | R@1 | R@5 | R@10 | MRR@10 | nDCG@10 | ragas ctx precision "
            "| ragas ctx recall |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for s in report.systems:
            lines.append(
                f"| {s.name} | {s.units} | {_f(s.recall_at_1)} | {_f(s.recall_at_5)} | "
                f"{_f(s.recall_at_10)} | {_f(s.mrr_at_10)} | {_f(s.ndcg_at_10)} | "
                f"{_f(s.context_precision)} | {_f(s.context_recall)} |"
            )
        if report.deltas:
            lines += ["", "careguide minus each baseline:", ""]
            lines += ["| baseline | ΔR@1 | ΔR@5 | ΔR@10 | ΔMRR@10 | ΔnDCG@10 |"]
            lines += ["|---|---|---|---|---|---|"]
            for name, d in report.deltas.items():
                lines.append(
                    f"| {name} | {_signed(d['recall_at_1'])} | {_signed(d['recall_at_5'])} | "
                    f"{_signed(d['recall_at_10'])} | {_signed(d['mrr_at_10'])} | "
                    f"{_signed(d['ndcg_at_10'])} |"
                )
        lines += _answer_section(report)
        for title, groups in (
            ("audience", report.by_audience),
            ("difficulty", report.by_difficulty),
        ):
            lines += ["", f"## careguide by {title}", ""]
            lines += ["| group | items | R@5 | MRR@10 | grounded | declined |"]
            lines += ["|---|---|---|---|---|---|"]
            for g in groups:
                lines.append(
                    f"| {g.group} | {g.items} | {_f(g.recall_at_5)} | {_f(g.mrr_at_10)} | "
                    f"{_f(g.grounded_rate)} | {_f(g.declined_rate)} |"
                )
        lines += ["", *[f"![{c}]({c})" for c in charts]]
        lines += _misses_section(report)
    if report.disclosures is not None:
        d = report.disclosures
        lines += [
            "",
            "## Disclosures",
            "",
            f"`{d.path}`: {d.disclosures} disclosures, {d.ordinary} ordinary messages. "
            f"Recall {d.recall:.3f}, false-alarm rate {d.false_alarm_rate:.3f}.",
        ]
        for title, wrong in (("Missed", d.misses), ("False alarms", d.false_alarms)):
            for m in wrong:
                lines.append(f"- {title}: {m.id} (score {m.score:g}): {m.text}")
    return "\n".join(lines) + "\n"


def _answer_section(report: EvalReport) -> list[str]:
    lines = ["", "## Answers (careguide)", ""]
    lines += [
        "| mode | grounded | declined | evidence cited | sentences supported | FK grade (median) |",
        "|---|---|---|---|---|---|",
    ]
    for m in report.answers:
        grade = "–" if m.fk_grade_median is None else f"{m.fk_grade_median:.1f}"
        lines.append(
            f"| {m.mode} | {_f(m.grounded_rate)} | {_f(m.declined_rate)} | "
            f"{_f(m.evidence_cited_rate)} | {_f(m.supported_sentence_rate)} | {grade} |"
        )
    lines.append("")
    lines.append("`audience` answers each question in its own audience's mode.")
    r = report.ragas
    if r is not None:
        lines += ["", "## ragas", ""]
        rows = [
            ("NonLLMContextPrecisionWithReference (careguide)", r.context_precision),
            ("NonLLMContextRecall (careguide)", r.context_recall),
            ("NonLLMStringSimilarity to reference answers", r.answer_string_similarity),
            ("SemanticSimilarity to reference answers", r.answer_semantic_similarity),
        ]
        if r.judge:
            rows += [
                (f"Faithfulness (judge {r.judge})", r.faithfulness),
                (f"ResponseRelevancy (judge {r.judge})", r.response_relevancy),
                (f"FactualCorrectness (judge {r.judge})", r.factual_correctness),
            ]
        else:
            rows.append(("LLM-judged metrics", None))
        lines += ["| metric | value |", "|---|---|"]
        lines += [f"| {name} | {_f(value)} |" for name, value in rows]
        if not r.judge:
            lines += ["", "No judge configured: set CAREGUIDE_EVAL_LLM_BASE_URL and _MODEL."]
        lines += [f"- error: {e}" for e in r.errors]
    return lines


def _misses_section(report: EvalReport) -> list[str]:
    if not report.misses:
        return []
    lines = ["", "## Misses (careguide), with its top 3 passages", ""]
    for m in report.misses:
        lines.append(f"### {m.id} ({m.audience}, {m.difficulty or 'no difficulty'}): {m.why}")
        lines += ["", f"> {m.question}", ""]
        for p in m.top:
            snippet = " ".join(p.text.split())[:200]
            lines.append(f"{p.rank}. **{p.label}**: {snippet}…")
        lines.append("")
    return lines


def summary_table(report: EvalReport) -> Table:
    """The headline retrieval table, careguide first, with deltas against it."""
    table = Table(title=f"Retrieval on {report.answerable} answerable items")
    for col in ("system", "R@1", "R@5", "R@10", "MRR@10", "nDCG@10", "ΔR@5", "ΔMRR@10"):
        table.add_column(col, justify="left" if col == "system" else "right")
    for s in report.systems:
        d = report.deltas.get(s.name)
        table.add_row(
            s.name,
            _f(s.recall_at_1),
            _f(s.recall_at_5),
            _f(s.recall_at_10),
            _f(s.mrr_at_10),
            _f(s.ndcg_at_10),
            _signed(-d["recall_at_5"]) if d else "",
            _signed(-d["mrr_at_10"]) if d else "",
            style="bold" if s is report.systems[0] else "",
        )
    return table


def answers_table(report: EvalReport) -> Table:
    table = Table(title="careguide answers")
    for col in ("mode", "grounded", "declined", "evidence cited", "supported", "FK grade"):
        table.add_column(col, justify="left" if col == "mode" else "right")
    for m in report.answers:
        grade = "–" if m.fk_grade_median is None else f"{m.fk_grade_median:.1f}"
        table.add_row(
            m.mode,
            _f(m.grounded_rate),
            _f(m.declined_rate),
            _f(m.evidence_cited_rate),
            _f(m.supported_sentence_rate),
            grade,
        )
    return table
