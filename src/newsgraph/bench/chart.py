"""A PNG bar chart of a ``newsgraph bench`` report: CPU milliseconds per document and stage."""
from __future__ import annotations

from pathlib import Path


def write_chart(report: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    stages = report["single_core"]["stages"]
    labels = list(stages)
    values = [stages[s]["ms_per_doc_cpu"] for s in labels]
    colors = ["#4c72b0"] * len(labels)
    if "store" in report:
        labels.append("store (write)")
        values.append(report["store"]["ms_per_doc_cpu"])
        colors.append("#55a868")
    base = report.get("spacy_baseline")
    if base:
        for key, label in (("full", "plain spaCy: full pipeline"), ("ner_only", "plain spaCy: NER only")):
            labels.append(label)
            values.append(base[key]["cpu_ms_per_doc"])
            colors.append("#c44e52")
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(labels) + 1.6))
    y = range(len(labels))
    ax.barh(list(y), values, color=colors)
    ax.set_yticks(list(y), labels)
    ax.invert_yaxis()
    for i, v in enumerate(values):
        ax.text(v, i, f" {v:.1f}", va="center", fontsize=8)
    s = report["single_core"]
    corpus = report["corpus"]
    ax.set_xlabel("CPU milliseconds per document (one core)")
    ax.set_title(f"newsgraph extraction: {s['docs_per_cpu_s']:.2f} docs per CPU-second, "
                 f"{corpus['mean_words']:.0f} words/doc, peak RSS {report['peak_rss_mib']} MiB", fontsize=10)
    ax.margins(x=0.15)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
