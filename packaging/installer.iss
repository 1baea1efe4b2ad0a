; Inno Setup script: a per-user installer of the onedir folder built by build.spec.
; Built by .github/workflows/windows.yml:  ISCC.exe /DAppVersion=1.0.0 packaging\installer.iss
; (the version comes from resources/version.py; docs/build.md)
;
; Per user, no administrator rights: installs into %LOCALAPPDATA%\Programs\GridLedger, with a
; Start-menu shortcut and an uninstaller.  The clerk's ledgers and backups live in
; %LOCALAPPDATA%\GridLedger and are never touched by installing, upgrading or uninstalling.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "网格台账"
#define AppExe "网格台账.exe"

[Setup]
; a fixed AppId: upgrades replace the installed version instead of installing a second copy
AppId={{6E0C8A4E-3B52-4D7B-9F0A-6B1E2C4D5A71}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=网格台账项目
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=
DefaultDirName={localappdata}\Programs\GridLedger
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
SetupIconFile=..\resources\icons\app.ico
OutputDir=..\dist\installer
OutputBaseFilename=GridLedger-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; close a running 网格台账 before replacing its files
CloseApplications=yes
RestartApplications=no

[Languages]
; Chinese (Simplified) messages: official in recent Inno Setup 6 releases; the workflow fetches
; the file from Inno Setup's repository when the installed release lacks it.  English stays
; available as a fallback.
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\dist\GridLedger\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; files of an older version that the new one no longer ships (e.g. a dropped Qt plugin)
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\卸载{#AppName}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
