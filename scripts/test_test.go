// Package scripts has no Go code: its tests run the shell scripts beside them.
package scripts

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The README's test command on a machine that lacks what it needs: it
// installs the missing Debian packages (as root, or through sudo) saying so
// in one line, and stops with one line when it cannot. The machine is faked:
// PATH holds only the tools the script uses plus fake go, gofmt, id, sudo and
// apt-get; "installing" a package puts a fake of its command on that PATH.
func TestTestCommandInstallsWhatIsMissing(t *testing.T) {
	const all = "gcc libc6-dev redis-server chromium fonts-liberation poppler-utils"
	cases := []struct {
		name      string
		uid       string   // what id -u says
		sudo      string   // "" no sudo, "ok" password-less, "password" needs one
		apt       string   // "" works, "offline" mirror unreachable, "none" no apt-get
		have      []string // commands already installed
		env       []string
		status    int
		stderr    string   // exactly
		log       []string // these lines, in this order, among what the fakes were asked
		notLogged []string // and none of these
	}{{
		name:   "fresh machine, as root",
		uid:    "0",
		stderr: "scripts/test: installing " + all + "\n",
		log: []string{
			"apt-get update -qq uid=0 DEBIAN_FRONTEND=noninteractive",
			"apt-get install -y -qq --no-install-recommends " + all + " uid=0 DEBIAN_FRONTEND=noninteractive",
			"go test -race -count=1 ./...",
		},
	}, {
		name:   "fresh machine, through sudo",
		uid:    "1000",
		sudo:   "ok",
		stderr: "scripts/test: installing " + all + "\n",
		log: []string{
			"sudo -n true",
			"sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq",
			"apt-get update -qq uid=0 DEBIAN_FRONTEND=noninteractive",
			"apt-get install -y -qq --no-install-recommends " + all + " uid=0 DEBIAN_FRONTEND=noninteractive",
			"go test -race -count=1 ./...",
		},
	}, {
		name: "everything there: nothing installed, no sudo asked",
		uid:  "1000", sudo: "ok",
		have:      []string{"gcc", "redis-server", "chromium", "pdftotext"},
		log:       []string{"go test -race -count=1 ./..."},
		notLogged: []string{"sudo", "apt-get"},
	}, {
		name: "REDIS_URL set: no redis-server needed",
		uid:  "1000",
		have: []string{"gcc", "chromium", "pdftotext"},
		env:  []string{"REDIS_URL=redis://127.0.0.1:6379/0"},
		log:  []string{"go test -race -count=1 ./..."},
	}, {
		name:      "not root and no sudo",
		uid:       "1000",
		status:    1,
		stderr:    "scripts/test: cannot install " + all + ": not root and no sudo (as root: apt-get install " + all + ")\n",
		notLogged: []string{"apt-get", "go test"},
	}, {
		name:      "sudo wants a password and there is no terminal",
		uid:       "1000",
		sudo:      "password",
		have:      []string{"gcc", "chromium", "pdftotext"},
		status:    1,
		stderr:    "scripts/test: cannot install redis-server: not root and sudo needs a password (run it in a terminal, or as root: apt-get install redis-server)\n",
		notLogged: []string{"apt-get", "go test"},
	}, {
		name:   "package mirror unreachable",
		uid:    "0",
		apt:    "offline",
		have:   []string{"gcc", "redis-server", "pdftotext"},
		status: 1,
		stderr: "scripts/test: installing chromium fonts-liberation\n" +
			"scripts/test: could not install chromium fonts-liberation: W: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease  Temporary failure resolving 'deb.debian.org'\n",
		notLogged: []string{"go test"},
	}, {
		name:      "no apt-get",
		uid:       "0",
		apt:       "none",
		have:      []string{"gcc", "chromium", "pdftotext"},
		status:    1,
		stderr:    "scripts/test: cannot install redis-server: no apt-get here (install it yourself)\n",
		notLogged: []string{"go test"},
	}, {
		name:      "SKIP_BROWSER_TEST=1: no Chromium, said out loud",
		uid:       "1000",
		have:      []string{"gcc", "redis-server", "pdftotext"},
		env:       []string{"SKIP_BROWSER_TEST=1"},
		stderr:    "scripts/test: SKIP_BROWSER_TEST=1: the browser tests (TestBrowser*) do not run\n",
		log:       []string{"go test -race -count=1 -skip ^TestBrowser ./..."},
		notLogged: []string{"apt-get"},
	}, {
		name:      "SKIP_BROWSER_TEST=1 refused in CI",
		uid:       "1000",
		have:      []string{"gcc", "redis-server", "pdftotext"},
		env:       []string{"SKIP_BROWSER_TEST=1", "CI=true"},
		status:    1,
		stderr:    "scripts/test: SKIP_BROWSER_TEST=1 is not allowed in CI: the browser test must run there\n",
		notLogged: []string{"go test"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newFakeMachine(t, c.uid, c.sudo, c.apt)
			for _, cmd := range c.have {
				m.has(cmd)
			}
			status, stdout, stderr, log := m.run(c.env...)
			if status != c.status || stderr != c.stderr || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit %d, no stdout, stderr:\n%s", status, stdout, stderr, c.status, c.stderr)
			}
			checkLog(t, log, c.log, c.notLogged)
		})
	}
}

// Once installed, the next run installs nothing and asks nothing.
func TestTestCommandInstallsOnce(t *testing.T) {
	m := newFakeMachine(t, "1000", "ok", "")
	if status, _, stderr, _ := m.run(); status != 0 || !strings.Contains(stderr, "installing") {
		t.Fatalf("first run: exit %d, stderr %q", status, stderr)
	}
	status, stdout, stderr, log := m.run()
	if status != 0 || stdout != "" || stderr != "" {
		t.Errorf("second run: exit %d, stdout %q, stderr %q; want a silent success", status, stdout, stderr)
	}
	checkLog(t, log, []string{"go test -race -count=1 ./..."}, []string{"sudo", "apt-get"})
}

type fakeMachine struct {
	t   *testing.T
	bin string // the only directory on PATH
	env []string
}

func newFakeMachine(t *testing.T, uid, sudo, apt string) *fakeMachine {
	t.Helper()
	bin := t.TempDir()
	for _, tool := range []string{"bash", "env", "dirname", "grep", "mktemp", "rm", "tail", "find", "true", "chmod"} {
		path, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("the fake machine needs %s: %v", tool, err)
		}
		if err := os.Symlink(path, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	m := &fakeMachine{t: t, bin: bin, env: []string{
		"PATH=" + bin, "HOME=" + t.TempDir(), "FUZZTIME=0", "FAKE_BIN=" + bin, "FAKE_UID=" + uid, "FAKE_APT=" + apt,
	}}
	// go: a no-op that says which C compiler it would use.
	m.script("go", `echo "go $*" >>"$FAKE_LOG"; [ "$*" != "env CC" ] || echo gcc`)
	m.script("gofmt", `:`)
	m.script("id", `[ "$1" = -u ] && echo "$FAKE_UID"`)
	switch sudo {
	case "ok": // like sudo: a clean environment, and root
		m.script("sudo", `echo "sudo $*" >>"$FAKE_LOG"; [ "$1" != -n ] || shift
exec env -i PATH="$PATH" FAKE_LOG="$FAKE_LOG" FAKE_BIN="$FAKE_BIN" FAKE_APT="$FAKE_APT" FAKE_UID=0 "$@"`)
	case "password":
		m.script("sudo", `echo "sudo $*" >>"$FAKE_LOG"; echo "sudo: a password is required" >&2; exit 1`)
	}
	if apt != "none" {
		// apt-get: chatty even with -qq; "installing" a package puts its
		// command on PATH.
		m.script("apt-get", `echo "apt-get $* uid=$(id -u) DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-}" >>"$FAKE_LOG"
echo "debconf: delaying package configuration, since apt-utils is not installed" >&2
if [ "$FAKE_APT" = offline ]; then
  if [ "$1" = update ]; then
    echo "W: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease  Temporary failure resolving 'deb.debian.org'" >&2
    echo "W: Some index files failed to download. They have been ignored, or old ones used instead." >&2
    exit 0
  fi
  echo "E: Unable to locate package ${!#}" >&2; exit 100
fi
if [ "$(id -u)" != 0 ]; then echo "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)" >&2; exit 100; fi
[ "$1" = install ] || exit 0
for p in "$@"; do
  case "$p" in gcc|redis-server|chromium) echo "Setting up $p ..."; printf '#!/bin/sh\n' >"$FAKE_BIN/$p"; chmod +x "$FAKE_BIN/$p";; esac
  [ "$p" != poppler-utils ] || { printf '#!/bin/sh\n' >"$FAKE_BIN/pdftotext"; chmod +x "$FAKE_BIN/pdftotext"; }
done`)
	}
	return m
}

func (m *fakeMachine) script(name, body string) {
	m.t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		m.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(m.bin, name), []byte("#!"+bash+"\n"+body+"\n"), 0o755); err != nil {
		m.t.Fatal(err)
	}
}

func (m *fakeMachine) has(cmd string) { m.script(cmd, ":") }

// run runs scripts/test on the fake machine: its exit status, output, and
// what the fakes were asked, one line each.
func (m *fakeMachine) run(env ...string) (status int, stdout, stderr string, log []string) {
	m.t.Helper()
	logFile := filepath.Join(m.t.TempDir(), "log")
	cmd := exec.Command("./test")
	cmd.Env = append(append([]string{"FAKE_LOG=" + logFile}, m.env...), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			m.t.Fatalf("run scripts/test: %v", err)
		}
		status = exit.ExitCode()
	}
	b, err := os.ReadFile(logFile)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		m.t.Fatal(err)
	}
	return status, out.String(), errOut.String(), strings.Split(strings.TrimSpace(string(b)), "\n")
}

// checkLog: want appear in order among the log's lines; no line starts with
// anything in notWant.
func checkLog(t *testing.T, log, want, notWant []string) {
	t.Helper()
	i := 0
	for _, line := range log {
		if i < len(want) && line == want[i] {
			i++
		}
		for _, n := range notWant {
			if strings.HasPrefix(line, n) {
				t.Errorf("the fakes were asked %q:\n%s", line, strings.Join(log, "\n"))
			}
		}
	}
	if i < len(want) {
		t.Errorf("the fakes were not asked %q (in this order):\n%s", want[i], strings.Join(log, "\n"))
	}
}
