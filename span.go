package qilian

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Span is a length of time as people state deadlines: whole days plus a
// remainder. On the working clock a day is a working day, whatever its
// hours; on the wall clock it is 24 hours. Keeping days apart is what lets
// "7d" mean seven working days rather than 168 working hours.
type Span struct {
	Days int
	Time time.Duration
}

// ParseSpan reads "7d", "2h", "90m", "1d4h" or "0".
func ParseSpan(s string) (Span, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Span{}, fmt.Errorf("empty duration")
	}
	if s == "0" {
		return Span{}, nil
	}
	var sp Span
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		days, err := strconv.Atoi(s[:i])
		if err != nil || days < 0 {
			return Span{}, fmt.Errorf("invalid duration %q: days must be a whole number, as in 7d", s)
		}
		sp.Days = days
		s = s[i+1:]
	}
	if s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return Span{}, fmt.Errorf("invalid duration %q: use forms like 30d, 2h, 90m or 1d4h", s)
		}
		sp.Time = d
	}
	return sp, nil
}

// Wall is the span on the wall clock.
func (s Span) Wall() time.Duration { return time.Duration(s.Days)*24*time.Hour + s.Time }

// IsZero reports whether the span is empty.
func (s Span) IsZero() bool { return s.Days == 0 && s.Time == 0 }

func (s Span) String() string {
	switch {
	case s.IsZero():
		return "0"
	case s.Time == 0:
		return strconv.Itoa(s.Days) + "d"
	case s.Days == 0:
		return s.Time.String()
	default:
		return strconv.Itoa(s.Days) + "d" + s.Time.String()
	}
}

// MarshalText writes the span as ParseSpan reads it.
func (s Span) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the span as ParseSpan does.
func (s *Span) UnmarshalText(b []byte) error {
	v, err := ParseSpan(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
