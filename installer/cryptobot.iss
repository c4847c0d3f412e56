; Cryptobot installer for Windows (InnoSetup 6).
;
; Compile after packaging\build_windows.ps1 made the bundle:
;   ISCC.exe /DAppVersion=0.1.0 /DBundleDir=..\dist\cryptobot /DOutputDir=..\dist installer\cryptobot.iss
; AppVersion defaults to the version resource of the bundled cryptobot.exe (which the PyInstaller
; spec takes from pyproject.toml), so the installer and the program always agree.
;
; Per-user install without admin rights by default (an administrator may choose all users); the
; stable AppId makes a new version upgrade the old one in place; uninstalling keeps the user's
; settings, database, logs and API keys unless the user asks to delete them.

#ifndef BundleDir
  #define BundleDir "..\dist\cryptobot"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist"
#endif
#ifndef AppVersion
  #define AppVersion GetVersionNumbersString(AddBackslash(BundleDir) + "cryptobot.exe")
#endif
#define AppName "Cryptobot"
#define AppExe "cryptobot-gui.exe"

[Setup]
; Never change AppId: it is how Windows recognises an installed Cryptobot to upgrade.
AppId={{7C4E2A91-5B3D-4F86-A0E2-9D13C5B8F467}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Cryptobot team
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=cryptobot-{#AppVersion}-setup
SetupIconFile=..\resources\icons\cryptobot.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the program folder's bundled libraries; user data lives elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{group}\{#AppName} self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\cryptobot.exe"" self-test"; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// Settings, database, logs and downloaded candles (platformdirs: %LOCALAPPDATA%\Cryptobot).
function UserDataDir(): String;
begin
  Result := ExpandConstant('{localappdata}\{#AppName}');
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and (not UninstallSilent) and DirExists(UserDataDir()) then
  begin
    if MsgBox('Also delete your Cryptobot settings, trade history database and logs in' + #13#10 +
              UserDataDir() + '?' + #13#10#13#10 +
              'Choose No to keep them for a later installation. API keys stay in the Windows ' +
              'Credential Manager either way (remove them there, or in Cryptobot''s settings ' +
              'before uninstalling).',
              mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
      DelTree(UserDataDir(), True, True, True);
  end;
end;
