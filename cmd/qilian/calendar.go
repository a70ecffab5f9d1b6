package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/qilian/qilian/calendar"
	"github.com/qilian/qilian/internal/app"
)

// runCalendar prints one year as deadlines count it: its source on the
// first line, then each holiday and make-up working day, one a line.
func runCalendar(_ context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, fs, err := app.Flags("calendar", args, stderr, nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: qilian calendar YEAR")
	}
	year, err := strconv.Atoi(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("calendar: %q is not a year", fs.Arg(0))
	}
	cal, err := cfg.Calendar()
	if err != nil {
		return err
	}
	y, err := cal.Year(year)
	if err != nil {
		return err
	}
	return writeYear(stdout, y)
}

func writeYear(w io.Writer, y calendar.Year) error {
	if _, err := fmt.Fprintln(w, y.Origin); err != nil {
		return err
	}
	for _, e := range y.Entries() {
		if _, err := fmt.Fprintf(w, "%s %s %s\n", e.Date, e.Kind, e.Name); err != nil {
			return err
		}
	}
	return nil
}
