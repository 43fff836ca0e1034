package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hoist-ota/hoist/internal/client"
)

const releaseUsage = `hoist release --project ID --type TYPE [--version V --version-code N] [flags]

  TYPE is wgt-android, wgt-ios, android, ios, firmware, codepush-android or
  codepush-ios. The file (--file) is
  uploaded with a progress bar, then the resource is created. --version and
  --version-code default to what the package declares (a wgt's manifest.json,
  an apk's AndroidManifest.xml); a different value is refused unless --force.
  An ios resource is an App Store link (--url) and takes no file; a firmware
  names its device product (--product). --channel publishes to a release
  channel other than production. A CodePush bundle (the zip of the folder
  react-native bundle writes) needs --target-binary-range (a semver range of
  binary versions, e.g. ^1.2.0); its versionCode defaults to the deployment's
  next and its label is "v" + versionCode.

  hoist release --project 866116d35b382bb6e1ae0cbb484b9950 --type wgt-android \
    --file app.wgt --version 1.2.0 --version-code 120 --native-version-code 100 \
    --update-type 1 --changelog @CHANGES.md --rollout 20`

// releaseFlags are the flags of `hoist release`.
type releaseFlags struct {
	project, typ, file, version, changelog, url, product, remark, channel string
	targetBinaryRange                                                     string
	versionCode, nativeVersionCode                                        int64
	updateType, rollout                                                   int
	disabled, force                                                       bool
}

// cliRelease runs `hoist release`: upload the file, then create the resource.
func cliRelease(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, c := newCLIFlagSet("release", releaseUsage, stderr)
	var f releaseFlags
	fs.StringVar(&f.project, "project", "", "project id (required)")
	fs.StringVar(&f.typ, "type", "", "wgt-android, wgt-ios, android, ios, firmware, codepush-android or codepush-ios (required)")
	fs.StringVar(&f.targetBinaryRange, "target-binary-range", "", "codepush only: the semver range of binary versions it runs on, e.g. ^1.2.0")
	fs.StringVar(&f.file, "file", "", "the file to upload: .wgt, .apk or firmware image (all types but ios)")
	fs.StringVar(&f.version, "version", "", "display version, e.g. 1.2.0 (default: what the package declares)")
	fs.Int64Var(&f.versionCode, "version-code", 0, "versionCode, greater than every earlier one of this type (default: what the package declares)")
	fs.BoolVar(&f.force, "force", false, "publish even when --version or --version-code differ from what the package declares")
	fs.Int64Var(&f.nativeVersionCode, "native-version-code", 0, "wgt only: the versionCode of the native build it runs on")
	fs.IntVar(&f.updateType, "update-type", 1, "1 user consent, 2 forced, 3 silent")
	fs.StringVar(&f.changelog, "changelog", "", "changelog text, or @FILE to read it from FILE (@- for standard input)")
	fs.StringVar(&f.remark, "remark", "", "internal remark")
	fs.IntVar(&f.rollout, "rollout", 0, "offer it to this percentage of devices first (1-100; default 100)")
	fs.BoolVar(&f.disabled, "disabled", false, "create it disabled (enable later with hoist resource enable)")
	fs.StringVar(&f.product, "product", "", "firmware only: the device product")
	fs.StringVar(&f.channel, "channel", "", "the release channel (default production; firmware has no other)")
	fs.StringVar(&f.url, "url", "", "ios only: the https App Store link")
	pos, err := parseCLI(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{"release: unexpected argument " + pos[0]}
	}
	typ, err := f.check()
	if err != nil {
		return err
	}
	changelog, err := readArg(f.changelog, stdin)
	if err != nil {
		return err
	}
	api, err := c.client()
	if err != nil {
		return err
	}

	body := client.NewResource{
		Type: typ, Version: f.version, VersionCode: f.versionCode, NativeVersionCode: f.nativeVersionCode,
		UpdateType: f.updateType, Changelog: changelog, Remark: f.remark, Force: f.force, Channel: f.channel,
		TargetBinaryRange: f.targetBinaryRange,
	}
	if f.rollout != 0 {
		body.RolloutPercent = &f.rollout
	}
	if f.disabled {
		off := 0
		body.Status = &off
	}
	switch typ {
	case client.TypeIOS:
		body.URL = f.url
	case client.TypeFirmware:
		body.Product = f.product
	}
	if f.file != "" {
		up, err := upload(ctx, api, f.project, typ, f.file, stderr)
		if err != nil {
			return fmt.Errorf("upload %s: %w", f.file, err)
		}
		body.StorageKey = up.Key
		if isCodePush(typ) {
			// Nothing to take from the package: the server assigns.
		} else if f.version == "" {
			body.Version = up.Version
		}
		if f.versionCode == 0 && !isCodePush(typ) {
			body.VersionCode = up.VersionCode
		}
		if !isCodePush(typ) && (body.Version == "" || body.VersionCode == 0) {
			return usageError{"release: the package declares no version: give --version and --version-code"}
		}
	}
	r, err := api.CreateResource(ctx, f.project, body)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(stdout, r)
	}
	if isCodePush(r.Type) {
		fmt.Fprintf(stdout, "Released %s %s for binaries %s as %s: %s, rollout %d%%.\n",
			typeName(r.Type), r.Label, r.TargetBinaryRange, r.ID, statusName(r.Status), r.RolloutPercent)
		return nil
	}
	fmt.Fprintf(stdout, "Released %s %s (versionCode %d) as %s: %s, rollout %d%%.\n",
		typeName(r.Type), r.Version, r.VersionCode, r.ID, statusName(r.Status), r.RolloutPercent)
	return nil
}

// isCodePush reports whether typ is a CodePush bundle type.
func isCodePush(typ int) bool {
	return typ == client.TypeCodePushAndroid || typ == client.TypeCodePushIOS
}

// check validates the command line (the server checks the rest) and
// returns the type number.
func (f releaseFlags) check() (int, error) {
	var problems []string
	typ, ok := parseType(f.typ)
	switch {
	case f.typ == "":
		problems = append(problems, "--type is required")
	case !ok:
		problems = append(problems, fmt.Sprintf("--type %q: use wgt-android, wgt-ios, android, ios, firmware, codepush-android or codepush-ios", f.typ))
	}
	if f.project == "" {
		problems = append(problems, "--project is required")
	}
	// With a file, the package's own version is the default; a CodePush
	// bundle's are its range and the deployment's next code.
	if f.file == "" && strings.TrimSpace(f.version) == "" && !isCodePush(typ) {
		problems = append(problems, "--version is required")
	}
	if f.versionCode < 0 || (f.file == "" && f.versionCode == 0 && !isCodePush(typ)) {
		problems = append(problems, "--version-code is required (a positive whole number)")
	}
	if f.updateType < 1 || f.updateType > 3 {
		problems = append(problems, "--update-type must be 1 (user consent), 2 (forced) or 3 (silent)")
	}
	if f.rollout != 0 && (f.rollout < 1 || f.rollout > 100) {
		problems = append(problems, "--rollout must be from 1 to 100")
	}
	if ok {
		switch {
		case typ == 4 && f.file != "":
			problems = append(problems, "--file: an ios resource is an App Store link; give --url instead")
		case typ == 4 && f.url == "":
			problems = append(problems, "--url (the App Store link) is required for ios")
		case typ != 4 && f.file == "":
			problems = append(problems, "--file is required")
		case typ != 4 && f.url != "":
			problems = append(problems, "--url is only for ios")
		}
		if typ == 5 && f.product == "" {
			problems = append(problems, "--product is required for firmware")
		}
		if typ != 5 && f.product != "" {
			problems = append(problems, "--product is only for firmware")
		}
		if typ != 1 && typ != 2 && f.nativeVersionCode != 0 {
			problems = append(problems, "--native-version-code is only for wgt types")
		}
		if isCodePush(typ) != (f.targetBinaryRange != "") {
			problems = append(problems, "--target-binary-range is required for codepush types, and only for them")
		}
	}
	if f.file != "" {
		if st, err := os.Stat(f.file); err != nil {
			problems = append(problems, fmt.Sprintf("--file %s: %v", f.file, errText(err)))
		} else if !st.Mode().IsRegular() {
			problems = append(problems, fmt.Sprintf("--file %s: not a regular file", f.file))
		}
	}
	if len(problems) > 0 {
		return 0, usageError{"release: " + strings.Join(problems, "; ")}
	}
	return typ, nil
}

// errText is an os error without the operation and path it repeats.
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// readArg returns s, or the content of the file named after a leading @
// ("@-" reads standard input).
func readArg(s string, stdin io.Reader) (string, error) {
	name, ok := strings.CutPrefix(s, "@")
	if !ok {
		return s, nil
	}
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(io.LimitReader(stdin, 1<<20))
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return "", usageError{fmt.Sprintf("release: --changelog %s: %s", s, errText(err))}
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
