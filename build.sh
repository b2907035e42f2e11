#!/usr/bin/env bash
# CdcLake build entry point: restores the local .NET tools (Cake, pinned in dotnet-tools.json)
# and runs build.cake. Arguments pass through, e.g.:
#   ./build.sh --target=Test
#   ./build.sh --target=Run --configuration=Debug
#   ./build.sh --target=Bench --bench-args="--filter *Snappy*"
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [[ -n "${CI:-}" ]]; then
  export NO_COLOR=1 # plain logs in CI
fi

dotnet tool restore
dotnet tool run dotnet-cake -- build.cake "$@"
