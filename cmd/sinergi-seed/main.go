// Command sinergi-seed fills a Redis with a realistic national forum (issue
// #22), to measure Sinergi at scale or try it with a full database:
//
//	go run ./cmd/sinergi-seed -redis-url redis://127.0.0.1:6379/0 -seed 1
//
// By default: 100,000 members with profiles across the 38 provinces and
// every sector, 100,000 organisation profiles, 1,000 workshops (10 of them
// with 3,000 registrants and a waiting list of 500, most past ones with
// check-ins) and 200,000 commitments with their progress histories. The
// same -seed gives the same forum. Everything is written through the
// store's own methods (store/seed), so the keys are those the bot writes.
// It refuses a prefix that already holds members.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"sinergi/store"
	"sinergi/store/seed"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sinergi-seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sinergi-seed", flag.ContinueOnError)
	cfg := seed.National(1)
	url := fs.String("redis-url", envOr("REDIS_URL", "redis://127.0.0.1:6379/0"), "the Redis to fill")
	prefix := fs.String("prefix", envOr("SINERGI_REDIS_PREFIX", "sinergi:"), "key prefix (the bot's SINERGI_REDIS_PREFIX)")
	workers := fs.Int("workers", 32, "concurrent writers")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "the seed: the same seed, the same forum")
	fs.IntVar(&cfg.Members, "members", cfg.Members, "members (users with a profile)")
	fs.IntVar(&cfg.Partners, "partners", cfg.Partners, "organisation profiles (of the first members)")
	fs.IntVar(&cfg.Workshops, "workshops", cfg.Workshops, "workshops")
	fs.IntVar(&cfg.Big, "big", cfg.Big, "workshops with -big-regs registrants")
	fs.IntVar(&cfg.BigRegs, "big-regs", cfg.BigRegs, "registrants of a big workshop (capacity 5/6 of it)")
	fs.IntVar(&cfg.Commitments, "commitments", cfg.Commitments, "commitments")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := store.Open(ctx, *url, store.Options{Prefix: *prefix})
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.Client().Exists(ctx, *prefix+"users:all").Result()
	if err != nil {
		return err
	}
	if n != 0 {
		return errors.New("prefix " + *prefix + " already holds members: choose another -prefix or an empty database")
	}
	before, err := usedMemory(ctx, st)
	if err != nil {
		return err
	}
	began := time.Now()
	f := seed.Generate(cfg)
	fmt.Printf("generated in %v\n", time.Since(began).Round(time.Millisecond))
	regs := 0
	for _, r := range f.Registrations {
		regs += len(r)
	}
	last, mem := time.Now(), before
	err = seed.Write(ctx, st, f, *workers, func(phase string, n int) {
		// Redis memory per item of the phase (INFO memory's used_memory
		// before and after it).
		used, err := usedMemory(ctx, st)
		perItem := "?"
		if err == nil && n > 0 {
			perItem = fmt.Sprintf("%.0f B each", float64(used-mem)/float64(n))
			if phase == "workshops" && regs > 0 {
				perItem += fmt.Sprintf(", %.0f B per registration", float64(used-mem)/float64(regs))
			}
			mem = used
		}
		fmt.Printf("%-17s %8d in %v, Redis memory %s\n", phase, n, time.Since(last).Round(time.Millisecond), perItem)
		last = time.Now()
	})
	if err != nil {
		return err
	}
	after, err := usedMemory(ctx, st)
	if err != nil {
		return err
	}
	fmt.Printf("done in %v: %d members, %d partner profiles, %d workshops, %d registrations, %d commitments; Redis used_memory +%.1f MiB\n",
		time.Since(began).Round(time.Second), len(f.Users), len(f.Partners), len(f.Workshops), regs, len(f.Commitments),
		float64(after-before)/(1<<20))
	return nil
}

// usedMemory is INFO memory's used_memory, in bytes.
func usedMemory(ctx context.Context, st *store.Store) (int64, error) {
	info, err := st.Client().Info(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, errors.New("no used_memory in INFO memory")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
