package flows_test

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sinergi/locales"

	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/flows/roles"
)

// TestModulesAreExplicit: an engine runs the core and exactly the modules
// it is given; nothing registers itself.
func TestModulesAreExplicit(t *testing.T) {
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	names := func(e *flows.Engine) []string {
		var out []string
		for _, c := range e.Commands(flows.RoleAdmin) {
			out = append(out, c.Name)
		}
		return out
	}
	cfg := flows.Config{BotUsername: "sinergi_test_bot", Admins: []int64{flowstest.AdminID}}
	core := names(flows.New(cfg, flowstest.NewStore(), texts))
	if want := []string{"start", "menu", "help", "cancel", "language"}; !slices.Equal(core, want) {
		t.Errorf("core commands = %v, want %v", core, want)
	}
	rolesOnly := names(flows.New(cfg, flowstest.NewStore(), texts, roles.Module(flowstest.NewStore())))
	if want := []string{"start", "menu", "help", "cancel", "grant", "language"}; !slices.Equal(rolesOnly, want) {
		t.Errorf("with RolesModule = %v, want %v", rolesOnly, want)
	}
	e := flows.New(cfg, flowstest.NewStore(), texts)
	if e.KnowsJob("fu3|x") {
		t.Errorf("an engine without FollowUpModule runs its reminders")
	}
	res, err := e.Handle(context.Background(), flows.Input{Kind: flows.KindCommand, Command: "grant", UserID: flowstest.AdminID, ChatID: flowstest.AdminID, Private: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := flowstest.IDs(res); !slices.Equal(got, []string{"errors.unknown_command"}) {
		t.Errorf("/grant without RolesModule: %v", got)
	}
}

// TestNoInitInFlows: capabilities register through New's module list, never
// from an init function or other package-level registration.
func TestNoInitInFlows(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "init" {
				t.Errorf("%s: func init", fset.Position(fd.Pos()))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFileSizes: no non-test Go file under flows/ grows past 600 lines;
// a capability that does is split by what it does.
func TestFileSizes(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if n := bytes.Count(b, []byte("\n")); n > 600 {
			t.Errorf("%s: %d lines (at most 600)", path, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCapabilitiesImportOnlyTheCore: a capability package (a directory under
// flows/ other than flowstest) imports no other package of flows/ but the
// core; where one capability needs another it goes through a core hook.
func TestCapabilitiesImportOnlyTheCore(t *testing.T) {
	dirs, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if !d.IsDir() || d.Name() == "flowstest" || d.Name() == "testdata" {
			continue
		}
		n++
		files, err := filepath.Glob(filepath.Join(d.Name(), "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				if p := strings.Trim(imp.Path.Value, `"`); strings.HasPrefix(p, "sinergi/flows/") {
					t.Errorf("%s imports %s: capabilities import only the core", path, p)
				}
			}
		}
	}
	if n < 5 {
		t.Errorf("%d capability packages, want at least 5", n)
	}
}

// TestAttachmentsAreAdapters: the domain says which file to send (a
// calendar invitation, a QR code, a chart, a table, a certificate); the packages that make
// the bytes live in the transport (bot/ics, bot/qr, bot/chart, bot/xlsx, bot/pdf), so
// no package of flows/ (the core, the capabilities) depends on their
// libraries.
func TestAttachmentsAreAdapters(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	if !strings.Contains(string(out), "sinergi/flows\n") {
		t.Fatalf("go list -deps listed %q, not the core's dependencies", out)
	}
	for _, p := range strings.Fields(string(out)) {
		for _, lib := range []string{"golang-ical", "go-qrcode", "go-chart", "excelize", "go-pdf/fpdf", "x/image/font"} {
			if strings.Contains(p, lib) {
				t.Errorf("flows/... depends on %s", p)
			}
		}
	}
}
