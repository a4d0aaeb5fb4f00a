# Sourced by scripts/run. merge_serve_args DEFAULT... -- GIVEN...
# Sets the array `merged` to the defaults the user did not give, then everything the user
# gave, so a flag the user passes replaces the script's default instead of repeating it
# (`medrtc serve` refuses a second --listen: "At Most 1 required but received 2").
# Each default is one word, "--flag=value" or a bare "--flag"; the user's flags may be
# "--flag value" or "--flag=value".
merge_serve_args() {
  local defaults=() given=() in_given=0 a d name g taken
  for a in "$@"; do
    if ((in_given)); then given+=("$a");
    elif [[ "$a" == "--" ]]; then in_given=1;
    else defaults+=("$a"); fi
  done
  merged=()
  for d in "${defaults[@]}"; do
    name="${d%%=*}"
    taken=0
    for g in "${given[@]}"; do
      if [[ "$g" == "$name" || "$g" == "$name="* ]]; then taken=1; break; fi
    done
    ((taken)) || merged+=("$d")
  done
  merged+=("${given[@]}")
}
