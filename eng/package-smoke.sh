#!/usr/bin/env bash
# Packs ApiShield, checks the package, then builds and runs a consumer app that installs it from a local folder feed
# exactly as a user installing from NuGet would, and shows the two lines protecting it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
port="${APISHIELD_SMOKE_PORT:-5391}"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

version="0.0.0-smoke.$(date +%s)"
dotnet pack "$repo/src/ApiShield/ApiShield.csproj" -c Release -o "$work/feed" -p:Version="$version" --nologo -v quiet
nupkg="$work/feed/ApiShield.$version.nupkg"
test -f "$nupkg" || { echo "package-smoke: no $nupkg"; exit 1; }

# The package carries its README, XML docs, license expression and dependencies.
listing="$(unzip -l "$nupkg")"
for entry in README.md lib/net10.0/ApiShield.dll lib/net10.0/ApiShield.xml ApiShield.nuspec; do
  grep -q " $entry\$" <<<"$listing" || { echo "package-smoke: $entry missing from the package"; exit 1; }
done
nuspec="$(unzip -p "$nupkg" ApiShield.nuspec)"
for needle in '<license type="expression">MIT</license>' '<readme>README.md</readme>' \
  'id="Microsoft.AspNetCore.Authentication.JwtBearer"' '<frameworkReference name="Microsoft.AspNetCore.App"'; do
  grep -qF "$needle" <<<"$nuspec" || { echo "package-smoke: nuspec lacks $needle"; echo "$nuspec"; exit 1; }
done
if grep -qiE 'PublicApiAnalyzers|BannedApiAnalyzers' <<<"$nuspec"; then
  echo "package-smoke: analyzers leak into the package's dependencies"; exit 1
fi

# A consumer outside the repository, so none of the repository's build files apply.
mkdir -p "$work/consumer"
cp "$repo/eng/package-smoke/Consumer.csproj" "$repo/eng/package-smoke/Program.cs" "$work/consumer/"
cat > "$work/consumer/nuget.config" <<CFG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
CFG
# dotnet user-jwts writes the issuer and audience here and the signing key to user secrets, as it does for users.
echo '{}' > "$work/consumer/appsettings.Development.json"
dotnet build "$work/consumer/Consumer.csproj" -c Release -p:ApiShieldVersion="$version" --nologo -v quiet

token() {
  local t
  t="$(dotnet user-jwts create --project "$work/consumer/Consumer.csproj" --audience http://localhost --valid-for 1h "$@" --output token | tail -n 1)"
  [[ "$t" == ey* ]] || { echo "package-smoke: dotnet user-jwts did not mint a token: $t"; exit 1; }
  echo "$t"
}
read_token="$(token --scope orders:read)" || exit 1
other_token="$(token --scope orders:write)" || exit 1

ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="http://127.0.0.1:$port" \
  Logging__LogLevel__Default=Warning \
  dotnet "$work/consumer/bin/Release/net10.0/Consumer.dll" --contentRoot "$work/consumer" >"$work/consumer.log" 2>&1 &
pid=$!

deadline=$((SECONDS + 60))
until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do
  if (( SECONDS > deadline )) || ! kill -0 "$pid" 2>/dev/null; then
    echo "package-smoke: consumer did not start"; cat "$work/consumer.log"; exit 1
  fi
  sleep 0.5
done

expect() {
  local want="$1"; shift
  local got
  got="$(curl -s -o /dev/null -w '%{http_code}' "$@")"
  if [ "$got" != "$want" ]; then echo "package-smoke: expected $want, got $got for $*"; cat "$work/consumer.log"; exit 1; fi
  echo "package-smoke: $want  ${*: -1}"
}
expect 401 "http://127.0.0.1:$port/orders"
expect 403 -H "Authorization: Bearer $other_token" "http://127.0.0.1:$port/orders"
expect 200 -H "Authorization: Bearer $read_token" "http://127.0.0.1:$port/orders"
expect 401 -H "Authorization: Bearer ${read_token}x" "http://127.0.0.1:$port/orders"
echo "package-smoke: passed"
