package bot_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestTransportImportsNoStore: bot (and its subpackages) run on the Store
// interface bot declares; the Redis store is wired in by cmd/sinergi and
// the tests, so nothing in the transport imports it or go-redis.
func TestTransportImportsNoStore(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 || !strings.Contains(string(out), "sinergi/flows\n") {
		t.Fatalf("go list -deps listed %q, not the transport's dependencies", deps)
	}
	for _, p := range deps {
		if p == "sinergi/store" || strings.HasPrefix(p, "sinergi/store/") || strings.Contains(p, "go-redis") {
			t.Errorf("the transport depends on %s", p)
		}
	}
}
