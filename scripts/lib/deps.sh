# Shared by the scripts: install what EvoAct needs on a Debian machine, only when missing.
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_dotnet() {
  command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 2; }
}

# The main job: Fashion-MNIST for the default cpu-proxy preset.
ensure_run_deps() {
  ensure_dotnet
  apt_install dataset-fashion-mnist
}

# The tests also read the real Fashion-MNIST files and compare against Debian's PyTorch.
ensure_test_deps() {
  ensure_dotnet
  # bsdutils: script(1), a pseudo-terminal for the live-table test; chromium: the dashboard's browser tests (headless, driven by Playwright)
  apt_install dataset-fashion-mnist python3-torch bsdutils chromium
}

# Builds the CLI (Release) quietly: its output is shown only when the build fails.
build_cli() {
  local out
  if ! out=$(dotnet build "$1/src/EvoAct.Cli" -c Release --nologo -v q 2>&1); then
    echo "$out" >&2
    echo "error: the build failed" >&2
    exit 1
  fi
}

# Builds the CLI (Release) and replaces this shell with `evoact ARGS`.
exec_evoact() {
  local root; root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  ensure_run_deps
  build_cli "$root"
  exec dotnet "$root/src/EvoAct.Cli/bin/Release/net10.0/evoact.dll" "$@"
}
