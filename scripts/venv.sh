# Sourced by the other scripts: `ensure_venv [EXTRA]` creates .venv with Python ≥ 3.11 and
# installs Maintenir in it (with the optional dependency group EXTRA), again only when
# pyproject.toml has changed since the last install.

ensure_venv() {
  local extra="${1:-}" spec="." stamp python
  [ -n "$extra" ] && spec=".[$extra]"
  if [ ! -x .venv/bin/python ]; then
    python=""
    for candidate in python3 python3.13 python3.12 python3.11; do
      if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        python="$candidate"
        break
      fi
    done
    if [ -z "$python" ]; then
      echo "Maintenir needs Python 3.11 or later (python3 --version: $(python3 --version 2>&1))." >&2
      exit 1
    fi
    echo "Creating .venv with $python…"
    "$python" -m venv .venv
  fi
  stamp=".venv/.maintenir-installed-${extra:-base}"
  current=$(sha256sum pyproject.toml)
  # Any up-to-date install, with or without extras, satisfies a plain one.
  if [ -z "$extra" ] && grep -qxF "$current" .venv/.maintenir-installed-* 2>/dev/null; then
    return
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$current" ]; then
    echo "Installing Maintenir ($spec) into .venv…"
    # -qq: only errors; the progress of a routine install is noise.
    .venv/bin/python -m pip install -qq -e "$spec"
    echo "$current" >"$stamp"
  fi
}
