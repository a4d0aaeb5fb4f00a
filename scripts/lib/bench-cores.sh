# Sourced by scripts/bench: which cores the server and the loadgen get (issue 14 item 7).
# bench_cores <workers> <cores>: W media workers on cores 0..W-1, the loadgen on all the
# others with one media loop per core, so the loadgen grows with the server and saturates
# no sooner than at W = 1. Sets server_cpus, loadgen_cpus (taskset lists), loadgen_loops;
# prints why and returns 2 for a W the machine cannot give.
bench_cores() {
  local workers="$1" cores="$2"
  if ! [[ "$workers" =~ ^[1-9][0-9]*$ ]]; then
    echo "bench: --workers needs a whole number ≥ 1 (got '$workers')" >&2
    return 2
  fi
  if ((cores < 2)); then
    if ((workers > 1)); then
      echo "bench: --workers $workers needs $((workers + 1)) cores ($workers for the server, at least 1 for the loadgen); this machine has $cores" >&2
      return 2
    fi
    # One core: both share it (scripts/bench warns that these are not per-core figures).
    server_cpus=0 loadgen_cpus=0 loadgen_loops=1
    return 0
  fi
  if ((workers >= cores)); then
    echo "bench: --workers $workers needs $((workers + 1)) cores ($workers for the server, at least 1 for the loadgen); this machine has $cores, so --workers $((cores - 1)) at most" >&2
    return 2
  fi
  if ((workers == 1)); then server_cpus=0; else server_cpus="0-$((workers - 1))"; fi
  if ((workers == cores - 1)); then loadgen_cpus="$workers"; else loadgen_cpus="$workers-$((cores - 1))"; fi
  loadgen_loops=$((cores - workers))
  return 0
}
