package storage

import (
	"bytes"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// NextDue finds the first day on or after from with active cards due, and
// how many: the "next due" line of a session summary. It seeks the due index
// (which holds active cards only) and reads keys only. n is 0 when nothing
// is scheduled.
func (db *DB) NextDue(user string, from scheduler.Day) (day scheduler.Day, n int, err error) {
	err = db.viewUserSub(user, bDue, func(due *bolt.Bucket) error {
		start := dayKey(from)
		c := due.Cursor()
		var first []byte
		for k, _ := c.Seek(start[:]); len(k) == 12; k, _ = c.Next() {
			if first == nil {
				first = k[:4:4]
				day = keyDay(first)
			} else if !bytes.Equal(k[:4], first) {
				break
			}
			n++
		}
		return nil
	})
	return day, n, err
}
