#!/usr/bin/env bash
# Checks the configuration references against the binaries' --help:
#   - README.md, section "## Configuration": the | flag | environment | default | meaning |
#     table must list every flag and variable of `justifi-mcp --help`, no other, each flag with
#     its variable and its default (backticks and spacing aside; "unset" = no default shown).
#     The default scope list written out in the --oauth-scopes row must be what a server
#     started with the defaults advertises in its protected resource metadata.
#   - mock/README.md: its flag tables cover only some of justifi-mock's flags, so they are
#     checked one way: every row's flag must exist in `justifi-mock --help` with the same
#     variable, and a "(default X)" in the row must be the default --help shows.
# Prints one line per difference and exits 1 when there is any.
#
#   tests/readme/config_table.sh BUILD_DIR [REPO_ROOT]
set -euo pipefail

build=$(cd "${1:?usage: config_table.sh BUILD_DIR [REPO_ROOT]}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "${2:-$here/../..}" && pwd)
server="$build/justifi-mcp"
mock="$build/mock/justifi-mock"
for b in "$server" "$mock"; do
  [[ -x $b ]] || { echo "config_table: $b is missing: build it first" >&2; exit 1; }
done

work=$(mktemp -d)
server_pid=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

status=0
problem() { echo "DIFF $*"; status=1; }

# --help of a boost::program_options binary -> "flag<TAB>env<TAB>default" lines.
# An option starts on a line "  --flag ..." (or "  -x [ --flag ]"); its description may wrap;
# a continuation line beginning with "env NAME" starts the "env NAME, default TEXT" part,
# which may wrap too. An option without a variable may say "(default: TEXT)" instead.
parse_help() {
  awk '
    function flush(   flag, env, def, m) {
      if (head == "") return
      flag = ""
      if (match(head, /--[a-z0-9][a-z0-9-]*/)) flag = substr(head, RSTART, RLENGTH)
      env = ""; def = ""
      if (envtext != "") {
        sub(/^env /, "", envtext)
        env = envtext; sub(/[, ].*$/, "", env)
        if (match(envtext, /, default /)) def = substr(envtext, RSTART + RLENGTH)
      } else if (match(head, /\(default: [^)]*\)/)) {
        def = substr(head, RSTART + 10, RLENGTH - 11)
      }
      if (flag != "" && flag != "--help" && flag != "--version") print flag "\037" env "\037" def
      head = ""; envtext = ""
    }
    /^Options:/ { inopts = 1; next }
    !inopts { next }
    /^[[:space:]]*$/ { flush(); inopts = 0; next }
    {
      line = $0; sub(/^[[:space:]]+/, "", line); sub(/[[:space:]]+$/, "", line)
      if ($0 ~ /^  -/) { flush(); head = line; next }
      if (envtext == "" && line ~ /^env [A-Z][A-Z0-9_]*(,|$)/) { envtext = line; next }
      if (envtext != "") envtext = envtext " " line; else head = head " " line
    }
    END { flush() }
  '
}

# Markdown tables whose header names a "flag" and an "env"/"environment" column ->
# "line<TAB>flag<TAB>env<TAB>default<TAB>meaning" (cells without backticks; default "-" when
# the table has no default column). $1: only inside this "## " section ("" = whole file).
parse_tables() {
  awk -v section="$1" '
    function trim(s) { gsub(/^[[:space:]]+|[[:space:]]+$/, "", s); return s }
    function cells(line, out,   n, i) {
      gsub(/\\\|/, "\001", line)
      line = trim(line); sub(/^\|/, "", line); sub(/\|$/, "", line)
      n = split(line, out, "|")
      for (i = 1; i <= n; i++) { gsub(/\001/, "|", out[i]); gsub(/`/, "", out[i]); out[i] = trim(out[i]) }
      return n
    }
    /^## / { insection = (section == "" || trim(substr($0, 4)) == section); intable = 0; next }
    !insection { next }
    !/^[[:space:]]*\|/ { intable = 0; next }
    intable == 0 {
      n = cells($0, c); fc = ec = dc = mc = 0
      for (i = 1; i <= n; i++) {
        h = tolower(c[i])
        if (h == "flag") fc = i
        else if (h == "env" || h == "environment") ec = i
        else if (h == "default") dc = i
        else if (h == "meaning") mc = i
      }
      intable = (fc && ec) ? 1 : -1
      next
    }
    intable == 1 && /^[[:space:]]*\|[-:| ]+\|[[:space:]]*$/ { next }
    intable == 1 {
      cells($0, c)
      flag = c[fc]; sub(/[[:space:]].*$/, "", flag)
      print NR "\037" flag "\037" c[ec] "\037" (dc ? c[dc] : "-") "\037" (mc ? c[mc] : "")
    }
  '
}

# Defaults compared without backticks, spacing, case or a final period; "unset" = none shown.
norm() {
  local s=${1//\`/}
  s=$(printf '%s' "$s" | tr -s '[:space:]' ' ' | sed -e 's/^ //' -e 's/ $//' -e 's/\.$//' | tr '[:upper:]' '[:lower:]')
  [[ $s == unset ]] && s=
  printf '%s' "$s"
}

# $1 doc path (relative to the repo), $2 binary, $3 section ("" = whole file), $4 full|partial
check() {
  local doc=$1 binary=$2 section=$3 mode=$4
  local -A help_env=() help_def=() seen=()
  local flag env def line meaning rows=0 want
  while IFS=$'\037' read -r flag env def; do
    help_env[$flag]=$env
    help_def[$flag]=$def
  done < <("$binary" --help | parse_help)
  if ((${#help_env[@]} == 0)); then
    problem "$doc: no options parsed from $binary --help (has its format changed?)"
    return
  fi
  while IFS=$'\037' read -r line flag env def meaning; do
    rows=$((rows + 1))
    local at="$doc:$line"
    if [[ -z $flag ]]; then
      problem "$at: a row without a flag (variable '$env'): every setting has a flag in --help"
      continue
    fi
    if [[ -n ${seen[$flag]:-} ]]; then
      problem "$at: $flag is listed twice (also on line ${seen[$flag]})"
      continue
    fi
    seen[$flag]=$line
    if [[ -z ${help_env[$flag]+x} ]]; then
      problem "$at: $flag is not an option of $(basename "$binary") (not in its --help)"
      continue
    fi
    if [[ $env != "${help_env[$flag]}" ]]; then
      problem "$at: $flag: the table says variable '${env}', --help says '${help_env[$flag]}'"
    fi
    if [[ $def == - ]]; then # no default column: a "(default X)" in the meaning, if any
      def=-
      if [[ $meaning =~ \(default[:]?\ ([^\)]*)\) ]]; then def=${BASH_REMATCH[1]}; fi
    fi
    if [[ $def != - && $(norm "$def") != "$(norm "${help_def[$flag]}")" ]]; then
      want=${help_def[$flag]:-(none: write "unset")}
      problem "$at: $flag: the table's default is '$def', --help says '$want'"
    fi
  done < <(parse_tables "$section" <"$repo/$doc")
  if ((rows == 0)); then
    problem "$doc: no | flag | env... | table found${section:+ in section \"$section\"}"
    return
  fi
  if [[ $mode == full ]]; then
    for flag in $(printf '%s\n' "${!help_env[@]}" | sort); do
      [[ -n ${seen[$flag]:-} ]] && continue
      problem "$doc: $flag (${help_env[$flag]:-no variable}, default '${help_def[$flag]}') is in --help but not in the table"
    done
  fi
  echo "checked $doc: $rows rows against $(basename "$binary") --help (${#help_env[@]} options, $mode)"
}

check README.md "$server" Configuration full
check mock/README.md "$mock" "" partial

# The default scopes: --help abbreviates them, the README's --oauth-scopes row spells them out
# (every a:b word of its default and meaning); a server started with the defaults must advertise exactly those.
row=$(parse_tables Configuration <"$repo/README.md" | awk -F'\037' '$2 == "--oauth-scopes"')
documented=$(printf '%s\n' "$row" | cut -d $'\037' -f4- | { grep -oE '[a-z_]+:[a-z_]+' || true; } | sort -u | paste -sd, -)
if [[ -n $row ]]; then
  (cd "$work" && exec env -i PATH="$PATH" "$server" --transport http --host 127.0.0.1 --port 0 \
    --oauth-validation none --log-level info 2>"$work/server.log" </dev/null) &
  server_pid=$!
  port=
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*"message":"listening".*"port":\([0-9]*\).*/\1/p' "$work/server.log" | head -n1)
    [[ -n $port ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z $port ]]; then
    problem "README.md: the server did not start to show its default scopes: $(cat "$work/server.log")"
  else
    served=$(curl -sS --max-time 10 "http://127.0.0.1:$port/.well-known/oauth-protected-resource" |
      sed -n 's/.*"scopes_supported":\[\([^]]*\)\].*/\1/p' | tr -d '"' | tr , '\n' | sort -u | paste -sd, -)
    if [[ -z $served ]]; then
      problem "README.md: no scopes_supported in the server's protected resource metadata"
    elif [[ $documented != "$served" ]]; then
      problem "README.md: --oauth-scopes row lists the scopes '${documented:-none}', the server's default is '$served'"
    else
      echo "checked README.md: the --oauth-scopes default list is what the server advertises"
    fi
  fi
fi

if ((status == 0)); then echo "PASS the configuration tables match --help"; else echo "FAIL the configuration tables differ from --help"; fi
exit "$status"
