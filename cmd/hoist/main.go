// Command hoist is the Hoist server and its administration commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/config"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `Usage: hoist <command> [flags]

Commands:
  serve [-config FILE]            run the server (default command)
  migrate [up|status] [-config FILE]
                                  apply pending database migrations, or list them
  user create [-admin] [-email E] NAME
                                  create a user; the password is read from
                                  standard input (prompted on a terminal)
  device-sim -broker URL (-devices FILE | -create N -server URL -product P)
                                  simulate devices: commands, OTA with progress
  import upushy --upushy-config env.production.yaml [--owner ADMIN] [--dry-run]
                                  copy users, projects and resources from an
                                  upushy-server database, keeping their ids
                                  (or --dsn DSN --oss-bucket B --oss-endpoint E)
  version                         print the version

Release CLI (talks to a running Hoist with an API token; -h on each for flags):
  login --server URL [--token hst_...]
                                  check the token and store the login
  logout                          forget the stored login
  projects                        list my projects
  release --project ID --type T --file F --version V --version-code N ...
                                  upload a file and publish it as a resource
  resources --project ID          list a project's resources
  resource enable|disable|show ID, resource rollout ID PERCENT,
  resource range ID RANGE         change or show a resource (range: a
                                  CodePush release's targetBinaryRange)
  ota start --resource ID --product P (--tag T|--device D|--all)
  ota watch CAMPAIGN_ID           start an OTA campaign, follow its counts
  They take --server/--token (env HOIST_SERVER/HOIST_TOKEN) over the stored
  login, and --json to print the API's data. Exit 1: API or network error;
  2: bad command line.

The configuration file may also be named by HOIST_CONFIG. Every key can be set
by a HOIST_* environment variable; see env.example.yaml.
`

// Exit codes.
const (
	exitOK     = 0
	exitFail   = 1
	exitConfig = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, stderr)
	case "migrate":
		err = migrate(ctx, args, stdout, stderr)
	case "user":
		err = user(ctx, args, stdin, stdout, stderr)
	case "device-sim":
		err = deviceSim(ctx, args, stdout, stderr)
	case "import":
		err = importCmd(ctx, args, stdout, stderr)
	case "login":
		err = cliLogin(ctx, args, stdin, stdout, stderr)
	case "logout":
		err = cliLogout(args, stdout, stderr)
	case "projects":
		err = cliProjects(ctx, args, stdout, stderr)
	case "release":
		err = cliRelease(ctx, args, stdin, stdout, stderr)
	case "resources":
		err = cliResources(ctx, args, stdout, stderr)
	case "resource":
		err = cliResource(ctx, args, stdout, stderr)
	case "ota":
		err = cliOTA(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "hoist", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "hoist: unknown command %q\n\n%s", cmd, usage)
		return exitConfig
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case isConfigError(err):
		fmt.Fprintln(stderr, "hoist:", err)
		return exitConfig
	default:
		fmt.Fprintln(stderr, "hoist:", err)
		return exitFail
	}
}

// usageError is a bad command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func isConfigError(err error) bool {
	var u usageError
	_, isProblems := config.AsProblems(err)
	return isProblems || errors.As(err, &u) || apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict)
}

// loadConfig parses the -config flag and loads the configuration.
func loadConfig(fs *flag.FlagSet, args []string) (config.Config, error) {
	path := fs.String("config", os.Getenv(config.EnvConfigFile), "YAML configuration file (env HOIST_CONFIG)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config.Config{}, err
		}
		return config.Config{}, usageError{err.Error()}
	}
	return config.Load(*path)
}
