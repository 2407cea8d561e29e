// Package flowstest is what flow tests of every package share: Store, an
// in-memory fake of every store interface the capabilities declare (kept
// honest by the contract tests in store/), and Harness, which drives an
// engine built with the modules a test chooses the way the transport does.
// Only tests import it.
package flowstest
