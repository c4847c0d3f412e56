# Build the Windows release: the PyInstaller one-folder bundle, then the InnoSetup installer.
#
#   powershell -ExecutionPolicy Bypass -File packaging\build_windows.ps1 [-BundleOnly]
#
# Needs Python 3.11+ with the app and its `build` extra installed (pip install -e ".[build]"), and
# InnoSetup 6 (ISCC.exe on PATH, in "C:\Program Files (x86)\Inno Setup 6", or -Iscc PATH).
# Outputs in dist\: cryptobot\ (cryptobot.exe, cryptobot-gui.exe) and cryptobot-<version>-setup.exe.
[CmdletBinding()]
param(
    [string]$Python = "",
    [string]$Iscc = "",
    [switch]$BundleOnly
)
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root

function Find-Python {
    if ($Python) { return $Python }
    $venv = Join-Path $Root ".venv\Scripts\python.exe"
    if (Test-Path $venv) { return $venv }
    return "python"
}

function Find-Iscc {
    if ($Iscc) { return $Iscc }
    $onPath = Get-Command ISCC.exe -ErrorAction SilentlyContinue
    if ($onPath) { return $onPath.Source }
    foreach ($dir in @(${env:ProgramFiles(x86)}, $env:ProgramFiles, "$env:LOCALAPPDATA\Programs")) {
        if (-not $dir) { continue }
        $candidate = Join-Path $dir "Inno Setup 6\ISCC.exe"
        if (Test-Path $candidate) { return $candidate }
    }
    throw "ISCC.exe (InnoSetup 6) not found: install it (winget install JRSoftware.InnoSetup) or pass -Iscc PATH"
}

function Invoke-Checked([string]$What, [scriptblock]$Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed with exit code $LASTEXITCODE" }
}

$py = Find-Python
$version = & $py -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])"
if ($LASTEXITCODE -ne 0) { throw "could not read the version from pyproject.toml with $py" }
Write-Host "[build] Cryptobot $version"

Write-Host "[build] PyInstaller bundle -> dist\cryptobot"
Invoke-Checked "PyInstaller" {
    & $py -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build packaging\cryptobot.spec
}
Get-ChildItem -Path dist\cryptobot -Recurse -Directory -Filter __pycache__ | Remove-Item -Recurse -Force

Write-Host "[build] self-test from the bundle"
$env:QT_QPA_PLATFORM = "offscreen"
Invoke-Checked "cryptobot self-test" { & dist\cryptobot\cryptobot.exe self-test }
Remove-Item Env:\QT_QPA_PLATFORM

if ($BundleOnly) { return }

$compiler = Find-Iscc
Write-Host "[build] installer with $compiler"
Invoke-Checked "ISCC" {
    & $compiler "/DAppVersion=$version" "/DBundleDir=$Root\dist\cryptobot" "/DOutputDir=$Root\dist" installer\cryptobot.iss
}
Write-Host "[build] done: dist\cryptobot-$version-setup.exe"
