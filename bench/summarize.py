#!/usr/bin/env python3
"""Turns scripts/bench's raw results (medrtc_limit JSON, one `medrtc loadgen` JSON per run)
into the status of a run, the comparison N, and the final Markdown table + JSON file.

  summarize.py line <run.json> <label> <max_loss> <max_p99_ms>   one progress line
  summarize.py held <run.json> <max_loss> <max_p99_ms>            exit 0 when the run held
  summarize.py compare-n <runs dir> <max_loss> <max_p99_ms> <targets...>
  summarize.py report <work dir> <out prefix> <max_loss> <max_p99_ms> [--options]
  summarize.py simulcast-ratio <runs dir> <n>   medrtc's server CPU with simulcast / without
  summarize.py werift-line <run.json> <label>   one progress line of a werift cross-check run
"""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import statistics
import sys

NAMES = {"medrtc": "medrtc", "janus": "Janus"}


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"error": f"unreadable result: {e}"}


def get(run, *keys):
    v = run
    for k in keys:
        if not isinstance(v, dict) or k not in v:
            return None
        v = v[k]
    return v


def status(run, max_loss, max_p99):
    """error | failed | saturated | held, and why."""
    if run.get("error"):
        return "error", run["error"]
    why = []
    if (run.get("failed_consultations") or 0) > 0:
        why.append(f"{run['failed_consultations']} failed consultations")
    loss = run.get("loss_fraction")
    if loss is None or loss >= max_loss:
        why.append(f"loss {100 * (loss or 0):.2f} %")
    p99 = get(run, "latency_ms", "p99")
    if p99 is None or p99 >= max_p99:
        why.append(f"p99 {p99} ms")
    if why:
        return "failed", ", ".join(why)
    if get(run, "loadgen", "loadgen_saturated"):
        return "saturated", "loadgen saturated"
    return "held", ""


def fmt(v, spec=".2f", none="n/a"):
    return none if v is None else format(v, spec)


def mean(values):
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


def run_files(runs_dir):
    """{(target, n, rep): path}"""
    out = {}
    for path in glob.glob(os.path.join(runs_dir, "*.json")):
        m = re.match(r"(\w+)-n(\d+)-r(\d+)\.json$", os.path.basename(path))
        if m:
            out[(m.group(1), int(m.group(2)), int(m.group(3)))] = path
    return out


def cmd_line(args):
    run = load(args.run)
    st, why = status(run, args.max_loss, args.max_p99)
    n = run.get("consultations", "?")
    if st == "error":
        print(f"  {args.label}: ERROR {why}")
        return
    print(f"  {args.label}: N={n} {st.upper()}{' (' + why + ')' if why else ''}; loss {100 * (run.get('loss_fraction') or 0):.3f} %, "
          f"p50/p99 {fmt(get(run, 'latency_ms', 'p50'))}/{fmt(get(run, 'latency_ms', 'p99'))} ms, "
          f"join p50 {fmt(get(run, 'join_ms', 'p50'), '.0f')} ms, "
          f"server CPU {fmt(get(run, 'server', 'cpu_seconds_per_consultation_minute'), '.3f')} s/consultation-min, "
          f"loadgen {100 * (get(run, 'loadgen', 'share_of_cores') or 0):.0f} % of its cores")


def cmd_held(args):
    st, _ = status(load(args.run), args.max_loss, args.max_p99)
    sys.exit(0 if st == "held" else 1)


def compare_n(runs, targets, max_loss, max_p99):
    """Largest N every target held; else the largest N every target ran without error."""
    by_n = {}
    for (t, n, rep), path in runs.items():
        if rep == 1:
            by_n.setdefault(n, {})[t] = status(load(path), max_loss, max_p99)[0]
    both = [n for n, s in by_n.items() if all(t in s for t in targets)]
    held = [n for n in both if all(by_n[n][t] == "held" for t in targets)]
    ran = [n for n in both if all(by_n[n][t] != "error" for t in targets)]
    return max(held) if held else (max(ran) if ran else None)


def cmd_compare_n(args):
    n = compare_n(run_files(args.runs), args.targets, args.max_loss, args.max_p99)
    print(n if n is not None else "")


def cmd_werift_line(args):
    run = load(args.run)
    if run.get("error"):
        print(f"  {args.label}: ERROR {run['error']}")
        return
    print(f"  {args.label}: N={run.get('consultations', '?')} {run.get('failed_consultations')} failed; "
          f"sent {run.get('packets_sent')} received {run.get('packets_received')} lost {run.get('packets_lost')}, "
          f"server CPU {fmt(get(run, 'server', 'cpu_seconds_per_consultation_minute'), '.3f')} s/consultation-min, "
          f"werift {100 * (get(run, 'loadgen', 'cpu_seconds') or 0) / (run.get('window_seconds') or 1):.0f} % of a core"
          + (" (SATURATED)" if get(run, "loadgen", "loadgen_saturated") else "")
          + (f", {run['frames_skipped']} frames skipped late" if run.get("frames_skipped") else ""))


def werift_summary(work, n, targets):
    """The werift cross-check (bench/werift-load.mjs) runs of $work/werift: per target the
    mean server CPU per consultation-minute at N, and medrtc/Janus of it."""
    runs = run_files(os.path.join(work, "werift"))
    out = {"n": n, "targets": {}, "runs": {}}
    for (t, rn, rep), path in sorted(runs.items()):
        run = load(path)
        out["runs"][f"{t}-n{rn}-r{rep}"] = {k: v for k, v in run.items() if k != "participants"}
    for t in targets:
        mine = [load(p) for (tt, rn, _), p in runs.items() if tt == t and rn == n]
        ok = [r for r in mine if not r.get("error")]
        out["targets"][t] = {
            "runs": len(ok),
            "errors": [r["error"] for r in mine if r.get("error")],
            "cpu_s_per_consultation_minute": mean([get(r, "server", "cpu_seconds_per_consultation_minute") for r in ok]),
            "loss_fraction": mean([r.get("loss_fraction") for r in ok]),
            "failed_consultations": sum((r.get("failed_consultations") or 0) for r in ok),
            "werift_saturated_runs": sum(1 for r in ok if get(r, "loadgen", "loadgen_saturated")),
            # frames werift's pacer was too late to send (a starved client): less load than asked
            "werift_frames_skipped": sum((r.get("frames_skipped") or 0) for r in ok),
            "werift_share_of_a_core": mean([(get(r, "loadgen", "cpu_seconds") or 0) / r["window_seconds"]
                                            for r in ok if r.get("window_seconds")]),
        }
    a, b = (out["targets"].get(t, {}).get("cpu_s_per_consultation_minute") for t in ("medrtc", "janus"))
    out["cpu_ratio"] = a / b if a is not None and b else None
    return out


def werift_rows(w, ts, row):
    """Table rows of the werift cross-check, beside the loadgen's CPU row."""
    if not w or not w["n"]:
        return []
    cells = [w["targets"].get(s["target"], {}) for s in ts]
    reps = "/".join(str(c.get("runs", 0)) for c in cells)
    def cpu(c):
        v = fmt(c.get("cpu_s_per_consultation_minute"), ".3f")
        if c.get("failed_consultations"):
            v += f" (⚠ {c['failed_consultations']} failed consultations)"
        if c.get("errors"):
            v += f" (⚠ {len(c['errors'])} runs did not complete: {'; '.join(c['errors'])})"
        if c.get("werift_saturated_runs"):
            v += f" (⚠ werift saturated in {c['werift_saturated_runs']} runs)"
        if c.get("werift_frames_skipped"):
            v += f" (⚠ werift ran late: {c['werift_frames_skipped']} frames skipped)"
        return v
    ratio = w.get("cpu_ratio")
    return [
        row(f"server CPU s per consultation-minute by werift (N={w['n']}, mean of {reps} runs)",
            [cpu(c) for c in cells], "**" + fmt(ratio) + "**"),
        row(f"werift cross-check: loss, werift's CPU (share of its core) (N={w['n']})",
            [f"{fmt(100 * c['loss_fraction'] if c.get('loss_fraction') is not None else None, '.3f')} %, "
             f"{fmt(100 * c['werift_share_of_a_core'] if c.get('werift_share_of_a_core') is not None else None, '.0f')} %"
             for c in cells]),
    ]


def target_summary(t, runs, cmp_n, limit_gcm, max_loss, max_p99):
    mine = {(n, rep): load(p) for (tt, n, rep), p in runs.items() if tt == t}
    s = {"target": t}
    # Ladder: status per N of the first pass.
    ladder = []
    for (n, rep), run in sorted(mine.items()):
        st, why = status(run, max_loss, max_p99)
        ladder.append({"n": n, "rep": rep, "status": st, "why": why})
    s["ladder"] = ladder
    held = [e["n"] for e in ladder if e["status"] == "held"]
    sat_ok = [e["n"] for e in ladder if e["status"] == "saturated"]
    s["largest_n_held"] = max(held) if held else None
    s["largest_n_met_but_loadgen_saturated"] = max(sat_ok) if sat_ok else None
    s["saturated_runs"] = [f"N={e['n']} r{e['rep']}" for e in ladder
                           if get(mine[(e["n"], e["rep"])], "loadgen", "loadgen_saturated")]
    s["failures"] = sum((r.get("failed_consultations") or 0) for r in mine.values())
    s["errors"] = [f"N={n} r{rep}: {r['error']}" for (n, rep), r in sorted(mine.items()) if r.get("error")]
    at = [r for (n, rep), r in mine.items() if n == cmp_n and not r.get("error")]
    s["compare_runs"] = len(at)
    # CPU per consultation-minute divides by N, failed consultations included: say so.
    s["compare_failed_consultations"] = sum((r.get("failed_consultations") or 0) for r in at)
    s["cpu_s_per_consultation_minute"] = mean([get(r, "server", "cpu_seconds_per_consultation_minute") for r in at])
    cpm = s["cpu_s_per_consultation_minute"]
    s["consultations_per_core"] = 60.0 / cpm if cpm else None
    s["latency_p50_ms"] = mean([get(r, "latency_ms", "p50") for r in at])
    s["latency_p99_ms"] = mean([get(r, "latency_ms", "p99") for r in at])
    s["latency_max_ms"] = max([get(r, "latency_ms", "max") for r in at if get(r, "latency_ms", "max") is not None], default=None)
    s["join_p50_ms"] = mean([get(r, "join_ms", "p50") for r in at])
    s["join_p99_ms"] = mean([get(r, "join_ms", "p99") for r in at])
    s["loss_fraction"] = mean([r.get("loss_fraction") for r in at])
    s["rss_bytes_per_participant"] = mean([get(r, "server", "rss_bytes_per_participant") for r in at])
    s["loadgen_share_of_cores"] = mean([get(r, "loadgen", "share_of_cores") for r in at])
    # Forwarded packets: what all participants received, over the window, at the largest N
    # held (or the comparison N); and per CPU second of the server over the same window.
    fn = s["largest_n_held"] or cmp_n
    fr = [r for (n, rep), r in mine.items() if n == fn and not r.get("error")]
    pps, per_core = [], []
    for r in fr:
        w = r.get("window_seconds") or 0
        rx = r.get("packets_received")
        cpu0, cpu1 = get(r, "server", "start", "cpu_seconds"), get(r, "server", "end", "cpu_seconds")
        if w > 0 and rx is not None:
            pps.append(rx / w)
            if cpu0 is not None and cpu1 is not None and cpu1 > cpu0:
                per_core.append(rx / (cpu1 - cpu0))
    s["forwarded_at_n"] = fn
    s["forwarded_packets_per_second"] = mean(pps)
    s["forwarded_packets_per_core_second"] = mean(per_core)
    s["forwarded_share_of_limit"] = (s["forwarded_packets_per_core_second"] / limit_gcm
                                     if s["forwarded_packets_per_core_second"] and limit_gcm else None)
    return s


def table(summaries, limit, cmp_n, args, werift=None):
    ts = [summaries[t] for t in args.targets.split()]
    both = len(ts) == 2

    def row(label, values, ratio=""):
        cells = values + ([ratio] if both else [])
        return "| " + label + " | " + " | ".join(cells) + " |"

    def ratio(key, spec=".2f"):
        a, b = ts[0].get(key), ts[1].get(key) if both else None
        return format(a / b, spec) if both and a is not None and b else "n/a"

    head = ["| N = consultations (1:1, 2 participants each) | " + " | ".join(NAMES[s["target"]] for s in ts)
            + (" | medrtc / Janus |" if both else " |"),
            "|---|" + "---:|" * (len(ts) + (1 if both else 0))]
    lines = list(head)
    reps = "/".join(str(s["compare_runs"]) for s in ts)
    def cpu(s):
        v = fmt(s["cpu_s_per_consultation_minute"], ".3f")
        if s["compare_failed_consultations"]:
            v += f" (⚠ {s['compare_failed_consultations']} failed consultations in these runs)"
        return v
    lines.append(row(f"server CPU s per consultation-minute (N={cmp_n}, mean of {reps} runs)",
                     [cpu(s) for s in ts],
                     "**" + ratio("cpu_s_per_consultation_minute") + "**"))
    lines.extend(werift_rows(werift, ts, row))
    lines.append(row("consultations per core, derived (60 / CPU s per consultation-minute)",
                     [fmt(s["consultations_per_core"], ".0f") for s in ts], ratio("consultations_per_core")))

    def held(s):
        v = fmt(s["largest_n_held"], "d", "none")
        if s["largest_n_met_but_loadgen_saturated"] and (s["largest_n_held"] or 0) < s["largest_n_met_but_loadgen_saturated"]:
            v += f" (≥{s['largest_n_met_but_loadgen_saturated']} with loadgen saturated)"
        return v
    on_cores = "one core" if args.workers == 1 else f"{args.workers} cores ({args.workers} workers)"
    lines.append(row(f"largest N held on {on_cores} (loss < {100 * args.max_loss:g} %, p99 < {args.max_p99:g} ms, no failure)",
                     [held(s) for s in ts]))
    lines.append(row(f"added latency p50 / p99 / max, ms (N={cmp_n})",
                     [f"{fmt(s['latency_p50_ms'])} / {fmt(s['latency_p99_ms'])} / {fmt(s['latency_max_ms'])}" for s in ts],
                     ratio("latency_p99_ms") + " (p99)"))
    lines.append(row(f"join time p50 / p99, ms (N={cmp_n})",
                     [f"{fmt(s['join_p50_ms'], '.0f')} / {fmt(s['join_p99_ms'], '.0f')}" for s in ts]))
    lines.append(row(f"loss (N={cmp_n})", [fmt(100 * s["loss_fraction"] if s["loss_fraction"] is not None else None, ".3f") + " %" for s in ts]))
    lines.append(row(f"server RSS per participant, KiB (N={cmp_n}, after a one-consultation warm-up)",
                     [fmt(s["rss_bytes_per_participant"] / 1024 if s["rss_bytes_per_participant"] is not None else None, ".0f") for s in ts],
                     ratio("rss_bytes_per_participant")))
    lines.append(row("forwarded packets/s (at largest N held)",
                     [f"{fmt(s['forwarded_packets_per_second'], '.0f')} (N={s['forwarded_at_n']})" for s in ts]))
    lines.append(row("forwarded packets per server CPU-second / limit (GCM)",
                     [f"{fmt(s['forwarded_packets_per_core_second'], '.0f')} = "
                      f"{fmt(100 * s['forwarded_share_of_limit'] if s['forwarded_share_of_limit'] else None, '.0f')} %" for s in ts]))
    lim = {x["suite"]: x for x in (limit or {}).get("suites", [])}
    def limcell(suite):
        x = lim.get(suite)
        if not x:
            return "n/a"
        return (f"{x['packets_per_core_second']:.0f} pkt/s/core ({x['wire_bytes']} B"
                + (", generator saturated" if x.get("generator_saturated") else "") + ")")
    span = [limcell("AEAD_AES_128_GCM") + "; SHA1_80: " + limcell("AES_CM_128_HMAC_SHA1_80")]
    lines.append(row("limit: recvmmsg → unprotect → protect → sendmmsg, one core (GCM; SHA1_80)",
                     span + [""] * (len(ts) - 1)))
    # Which crypto the limit ran on (medrtc_limit names it; older results have no "crypto").
    gcm_crypto = (lim.get("AEAD_AES_128_GCM") or {}).get("crypto")
    if gcm_crypto:
        lines.append(row("limit crypto (GCM)", [gcm_crypto] + [""] * (len(ts) - 1)))
    lines.append(row("failed consultations (all runs)", [str(s["failures"]) for s in ts]))
    lines.append(row("loadgen-saturated runs", [", ".join(s["saturated_runs"]) or "none" for s in ts]))
    errs = [", ".join(s["errors"]) or "none" for s in ts]
    if any(e != "none" for e in errs):
        lines.append(row("runs that did not complete", errs))
    return "\n".join(lines)


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "kernel": platform.release()}


def cmd_report(args):
    runs = run_files(os.path.join(args.work, "runs"))
    limit = load(os.path.join(args.work, "limit.json"))
    gcm = next((x for x in limit.get("suites", []) if x["suite"] == "AEAD_AES_128_GCM"), None)
    limit_gcm = gcm["packets_per_core_second"] if gcm else None
    cmp_n = args.compare_n or compare_n(runs, args.targets.split(), args.max_loss, args.max_p99)
    summaries = {t: target_summary(t, runs, cmp_n, limit_gcm, args.max_loss, args.max_p99) for t in args.targets.split()}
    werift = werift_summary(args.work, args.werift_n, args.targets.split()) if args.werift_n else None
    md = table(summaries, limit, cmp_n, args, werift)
    print(md)
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {"ladder": [int(x) for x in args.ladder.split()], "duration_seconds": float(args.duration),
                     "media_ip": args.media_ip, "server_cpu": args.server_cpu, "loadgen_cpu": args.loadgen_cpu,
                     "workers": args.workers,
                     "max_loss": args.max_loss, "max_p99_ms": args.max_p99, "compare_n": cmp_n},
        "limit": limit,
        "summary": summaries,
        "runs": {f"{t}-n{n}-r{rep}": {k: v for k, v in load(p).items() if k != "participants"}
                 for (t, n, rep), p in sorted(runs.items())},
        "table_markdown": md,
    }
    ts = args.targets.split()
    if len(ts) == 2:
        a, b = (summaries[t]["cpu_s_per_consultation_minute"] for t in ts)
        result["ratios"] = {"cpu_by_loadgen": a / b if a is not None and b else None,
                            "cpu_by_werift": werift["cpu_ratio"] if werift else None}
    if werift:
        result["werift"] = werift
    with open(args.out + ".json", "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    with open(args.out + ".md", "w") as f:
        f.write(f"# medrtc benchmark, {result['date']}\n\n{machine()['cpu']}, {machine()['cores']} cores. "
                f"Server on cores {args.server_cpu} ({args.workers} worker(s)), loadgen on cores {args.loadgen_cpu}; "
                f"{args.duration} s per run.\n\n")
        f.write(md + "\n")


def cmd_simulcast_ratio(args):
    """One Markdown paragraph: medrtc's server CPU per consultation-minute at N with
    `loadgen --simulcast` (labels simulcast-nN-r*) over the single-layer runs (medrtc-nN-r*)
    of the same bench run."""
    runs = run_files(args.runs)
    def cpu(target):
        values = [get(load(p), "server", "cpu_seconds_per_consultation_minute")
                  for (t, n, _), p in runs.items() if t == target and n == args.n]
        values = [v for v in values if v is not None]
        return mean(values), len(values)
    single, ns = cpu("medrtc")
    sim, nm = cpu("simulcast")
    ratio = sim / single if single and sim else None
    print(f"\n**Simulcast forwarding** at N={args.n} (same bench run and settings as the single-layer runs): server CPU "
          f"{fmt(sim, '.3f')} s/consultation-min with three layers published and one forwarded per subscriber "
          f"({nm} runs) vs {fmt(single, '.3f')} with one layer ({ns} runs): ratio **{fmt(ratio, '.2f')}**. "
          f"The simulcast publishers send 1 + 1/3 + 1/9 of the single layer's bytes, so some of the ratio "
          f"is the extra input the server receives and decrypts.")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("line"); a.add_argument("run"); a.add_argument("label")
    a.add_argument("max_loss", type=float); a.add_argument("max_p99", type=float)
    a = sub.add_parser("held"); a.add_argument("run")
    a.add_argument("max_loss", type=float); a.add_argument("max_p99", type=float)
    a = sub.add_parser("compare-n"); a.add_argument("runs")
    a.add_argument("max_loss", type=float); a.add_argument("max_p99", type=float); a.add_argument("targets", nargs="+")
    a = sub.add_parser("report"); a.add_argument("work"); a.add_argument("out")
    a.add_argument("max_loss", type=float); a.add_argument("max_p99", type=float)
    a.add_argument("--ladder", default=""); a.add_argument("--duration", default="0")
    a.add_argument("--media-ip", default=""); a.add_argument("--server-cpu", default="0")
    a.add_argument("--loadgen-cpu", default="1"); a.add_argument("--compare-n", type=int, default=0)
    a.add_argument("--workers", type=int, default=1)
    a.add_argument("--targets", default="medrtc janus")
    a.add_argument("--werift-n", type=int, default=0)
    a = sub.add_parser("simulcast-ratio"); a.add_argument("runs"); a.add_argument("n", type=int)
    a = sub.add_parser("werift-line"); a.add_argument("run"); a.add_argument("label")
    args = p.parse_args()
    {"line": cmd_line, "held": cmd_held, "compare-n": cmd_compare_n, "report": cmd_report,
     "simulcast-ratio": cmd_simulcast_ratio, "werift-line": cmd_werift_line}[args.cmd](args)


if __name__ == "__main__":
    main()
