# Developer entry point on Windows: creates .venv, installs what is missing, then runs the app or
# the test suite.
#   powershell -ExecutionPolicy Bypass -File packaging\dev.ps1 run
#   powershell -ExecutionPolicy Bypass -File packaging\dev.ps1 test
param([Parameter(Position = 0)][ValidateSet("run", "test")][string]$Command = "run",
      [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest)
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
$Venv = Join-Path $Root ".venv"
$Py = Join-Path $Venv "Scripts\python.exe"

if (-not (Test-Path $Py)) {
    $launcher = Get-Command py -ErrorAction SilentlyContinue
    if ($launcher) { & py -3 -c "import sys; sys.exit(sys.version_info < (3, 11))" }
    if (-not $launcher -or $LASTEXITCODE -ne 0) {
        Write-Error "Python 3.11 or newer is required: winget install Python.Python.3.12"
    }
    & py -3 -m venv $Venv
}
$Stamp = Join-Path $Venv ".cryptobot-installed"
$Want = (Get-FileHash pyproject.toml -Algorithm SHA256).Hash.ToLower()
if (-not (Test-Path $Stamp) -or (Get-Content $Stamp) -ne $Want) {
    Write-Host "[dev] installing Cryptobot and its dependencies into $Venv"
    & $Py -m pip install --quiet --upgrade pip
    & $Py -m pip install --quiet -e ".[dev,build]"
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    Set-Content -Path $Stamp -Value $Want
}
if ($Command -eq "run") {
    & (Join-Path $Venv "Scripts\cryptobot.exe") gui @Rest
    exit $LASTEXITCODE
}
$env:QT_QPA_PLATFORM = "offscreen"
$status = 0
& (Join-Path $Venv "Scripts\ruff.exe") check app tests; if ($LASTEXITCODE) { $status = 1 }
& (Join-Path $Venv "Scripts\ruff.exe") format --check app tests; if ($LASTEXITCODE) { $status = 1 }
& (Join-Path $Venv "Scripts\mypy.exe"); if ($LASTEXITCODE) { $status = 1 }
& (Join-Path $Venv "Scripts\lint-imports.exe"); if ($LASTEXITCODE) { $status = 1 }
& $Py -m pytest @Rest; if ($LASTEXITCODE) { $status = 1 }
exit $status
