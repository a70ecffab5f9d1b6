package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/credential"
	"github.com/qilian/qilian/demo"
	"github.com/qilian/qilian/internal/app"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/temporalserver"
	"github.com/qilian/qilian/workflows"
)

func runMigrate(ctx context.Context, args []string, stderr io.Writer) error {
	db, _, err := openMigrated(ctx, "migrate", args, stderr, nil)
	if err != nil {
		return err
	}
	return db.Close()
}

// openMigrated parses the command's flags, then opens the read model and
// brings it up to date, as every administrative command needs.
func openMigrated(ctx context.Context, name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*storage.DB, *flag.FlagSet, error) {
	cfg, log, fs, err := app.Flags(name, args, stderr, extra)
	if err != nil {
		return nil, nil, err
	}
	db, err := app.OpenReadModel(ctx, cfg, log)
	return db, fs, err
}

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var withDemo bool
	var history, live int
	cfg, log, _, err := app.Flags("seed", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&withDemo, "demo", false, "load the demo district (required: it is the only seed there is)")
		fs.IntVar(&history, "history", 300, "closed cases to write over the last four months, so that the scores have shape (0 for none)")
		fs.IntVar(&live, "live", 60, "open cases of every kind and stage to open through the running engine, some overdue (0 for none; needs `qilian serve` running)")
	})
	if err != nil {
		return err
	}
	if !withDemo {
		return errors.New("seed: say --demo to load the demo district")
	}
	if history < 0 || history > 10000 {
		return errors.New("seed: --history is from 0 to 10000 cases")
	}
	if live < 0 || live > 1000 {
		return errors.New("seed: --live is from 0 to 1000 cases")
	}
	eng, err := app.LoadEngine(cfg)
	if err != nil {
		return err
	}
	// Open cases go through the engine: find it before writing anything.
	var tc client.Client
	if live > 0 {
		address := cfg.Temporal.Address
		if cfg.Embedded() {
			address = cfg.Temporal.Embedded.FrontendAddr
		}
		dialCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		tc, err = temporalserver.Dial(dialCtx, client.Options{
			HostPort: address, Namespace: cfg.Temporal.Namespace,
			Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
		}, slog.New(slog.DiscardHandler))
		cancel()
		if err != nil {
			return fmt.Errorf("seed: the open cases go through the case engine, which did not answer at %s: start `qilian serve` first, or pass --live 0 (%w)", address, err)
		}
		defer tc.Close()
	}
	db, err := app.OpenReadModel(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	now := time.Now()
	logins, err := demo.Seed(ctx, db, now)
	if err != nil {
		return err
	}
	// The same seed each time: a second run rewrites the same past.
	if err := demo.History(ctx, db, now, history, 1, eng.Policy, eng.Calendar); err != nil {
		return err
	}
	if live > 0 {
		rep, err := demo.Live(ctx, &workflows.Client{Temporal: tc, Policy: eng.Policy}, now, live, 1, eng.Policy, eng.Calendar)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		fmt.Fprintf(stderr, "seed: %d open cases opened in the engine (%d overdue), %d there from an earlier seed left as they stand\n", rep.Opened, rep.Overdue, rep.Kept)
	}
	// A login per role, as before, and every demo user's under "users".
	out := map[string]any{"users": logins}
	for role, l := range demo.ByRole(logins) {
		out[string(role)] = l
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

const userUsage = `usage:
  qilian user add --id ID --name NAME --role ROLE (--locality ID | --unit ID) [--username NAME] [--label TEXT]
  qilian user token --id ID [--label TEXT]     issue another token for a user
  qilian user password --id ID                 set a one-time password (changed at the first sign-in)
  qilian user unlock --id ID                   lift a lockout after failed sign-ins
  qilian user revoke --token-id TOKEN_ID
  qilian user list
`

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	var u qilian.User
	var label, tokenID string
	db, _, err := openMigrated(ctx, "user "+sub, args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&u.ID, "id", "", "user ID")
		fs.StringVar(&u.Name, "name", "", "display name")
		fs.StringVar((*string)(&u.Role), "role", "", "admin, grid_worker, axis, unit_staff or supervisor")
		fs.StringVar(&u.LocalityID, "locality", "", "locality the user works in (all roles but unit_staff)")
		fs.StringVar(&u.UnitID, "unit", "", "unit the user works for (unit_staff)")
		fs.StringVar(&u.Username, "username", "", "what the user signs in with (a-z 0-9 . _ - @); the user ID when absent")
		fs.StringVar(&label, "label", "", "a note on the token, such as the device")
		fs.StringVar(&tokenID, "token-id", "", "token to revoke")
	})
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	switch sub {
	case "add":
		if u.Username == "" {
			u.Username = strings.ToLower(u.ID)
		}
		if err := db.UpsertUser(ctx, u); err != nil {
			return describe(err)
		}
		return issueToken(ctx, db, u.ID, label, stdout)
	case "password":
		got, err := db.User(ctx, u.ID)
		if err != nil {
			return describe(err)
		}
		if got.Username == "" {
			return fmt.Errorf("user password: %s has no user name; add it again with --username", u.ID)
		}
		password := credential.Secret()[:16]
		if err := db.SetPassword(ctx, u.ID, credential.Hash(password), true); err != nil {
			return err
		}
		if _, err := db.RevokeSessions(ctx, u.ID, "", time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s\nusername %s\none-time password %s\n(changed at the first sign-in; only its hash is stored)\n", u.ID, got.Username, password)
		return nil
	case "unlock":
		if err := db.Unlock(ctx, u.ID); err != nil {
			return describe(err)
		}
		fmt.Fprintln(stdout, "unlocked", u.ID)
		return nil
	case "token":
		if _, err := db.User(ctx, u.ID); err != nil {
			return describe(err)
		}
		return issueToken(ctx, db, u.ID, label, stdout)
	case "revoke":
		if tokenID == "" {
			return errors.New("user revoke: --token-id is required")
		}
		if err := db.RevokeToken(ctx, tokenID, time.Now()); err != nil {
			return describe(err)
		}
		fmt.Fprintln(stdout, "revoked", tokenID)
		return nil
	case "list":
		users, err := db.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSERNAME\tROLE\tPLACE\tNAME\tTOKENS")
		for _, u := range users {
			toks, err := db.Tokens(ctx, u.ID)
			if err != nil {
				return err
			}
			var ids []string
			for _, t := range toks {
				s := t.ID
				if t.RevokedAt != nil {
					s += " (revoked)"
				}
				ids = append(ids, s)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.Role, u.LocalityID+u.UnitID, u.Name, strings.Join(ids, ", "))
		}
		return tw.Flush()
	default:
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("unknown user command %q", sub)
	}
}

func issueToken(ctx context.Context, db *storage.DB, userID, label string, stdout io.Writer) error {
	plain, hash := qilian.NewToken()
	id := "tok-" + hash[:12]
	if err := db.AddToken(ctx, qilian.Token{ID: id, UserID: userID, Hash: hash, Label: label, CreatedAt: time.Now()}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s\ntoken id %s\ntoken %s\n(the token is shown once; only its hash is stored)\n", userID, id, plain)
	return nil
}

// describe turns an invalid-input error into a message that names fields.
func describe(err error) error {
	var e *qilian.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		var parts []string
		for k, v := range e.Fields {
			parts = append(parts, "--"+strings.ReplaceAll(strings.TrimSuffix(k, "_id"), "_", "-")+": "+v)
		}
		return fmt.Errorf("%s (%s)", e.Message, strings.Join(parts, "; "))
	}
	return err
}
