// Package storage keeps everything talkcards knows in one bbolt file: the
// shared cards and talks, and each user's card states, due index, review
// log, daily aggregates, settings and undo records. It owns the file
// format, opening (locking, damage detection) and the import rules of
// DESIGN "Card identity"; it knows nothing of terminals, commands or the
// clock (times come in as arguments).
//
// # Opening
//
// Open validates an existing file before bbolt touches it: not empty, both
// bbolt meta pages valid (magic, version, FNV-64a checksum), the file at
// least as long as the newest meta page's high water mark, and after bbolt
// opens it the meta bucket with a known schema version. Anything else is
// ErrDamaged naming the path, and the file is left byte-identical (bbolt
// alone would initialise an empty file and silently fall back to the older
// meta page). Panics and memory faults inside bbolt on every read and write
// path become ErrDamaged too. A new database is built complete in a hidden
// temporary file in the same folder (folder 0700, file 0600) and linked into
// place, so no half-made file is ever seen at the path. ReadOnly uses
// bbolt's shared lock; the lock timeout (default 1s) gives ErrBusy. Writes
// always sync (NoSync is never set); each Record is one transaction.
//
// # Encodings
//
// Card keys are the 16 hex digits of deck.ID as 8 raw bytes ("card key").
// Days (scheduler.Day, int32) are 4 bytes big-endian with the sign bit
// flipped, so byte order is day order ("day key"). Integers in fixed
// layouts are big-endian. Variable records (talks, cards) are a version
// byte 1 then fields in the order listed, each a uvarint, a signed varint,
// a string (uvarint length + bytes), a string list (uvarint count +
// strings), a bool byte, or a time (signed varint Unix nanoseconds, 0 =
// zero time). Readers ignore trailing bytes, so fields can be appended.
//
// # Buckets
//
//	meta                            schema version and counters
//	  "schema"   uint32             SchemaVersion (2); written at creation; a higher one is refused
//	                                (ErrNewerSchema); a lower one is migrated by the first write
//	                                transaction (schema 2 added the state summary)
//	  "talks"    uint64             number of talks (for Count)
//	  "active"   uint64             number of active cards (for Count)
//	  "talkseq"  uint64             last talk Seq handed out
//	  "pendingSeq" uint64           newest answers-journal record applied ("Pending answers")
//	talks                           slug → v1, title, speaker, event, date, tags(list), files(list),
//	                                seq(uvarint), active cards(uvarint), retired cards(uvarint),
//	                                generation(uvarint; changes when a card of the talk becomes
//	                                active or moves in note order)
//	cards                           card key → v1, talk slug, talk seq(uvarint), talk title,
//	                                heading path(list), kind, prompt, answer, source, seq(varint),
//	                                key (normalised source text), file, retired(bool),
//	                                retired at(time), successor card ID (string, "" if none)
//	order                           note-order index: talk seq uint32 | card seq uint32 | card key
//	                                → 1 byte: 0 active, 1 retired. Cards and NewCards read it.
//	                                Card.Order is its first 8 bytes as a uint64.
//	byfile                          file path | 0x00 | card key → empty: the cards a file produced
//	files                           file path → sha256 (32) | size int64 | mtime int64 Unix ns (48 bytes)
//	roots                           path the user named → 1 byte: 1 folder, 0 file
//	links                           retired card key → card key its history was carried to
//	generated                       file path → uvarint deck.GeneratorVersion | the name the file
//	                                was read under: what made the cards of its last import, so a
//	                                re-import may keep an unchanged file unread (keep.go)
//	pending                         answers an older talkcards left unapplied ("Pending answers")
//	users/<name>/                   one bucket per user; nothing crosses between users
//	  "info"     uint64             number of review log entries
//	  state                         card key → 34 bytes: version 1 | repetitions uint32 |
//	                                easiness float64 bits | interval uint32 | due int32 |
//	                                lapses uint32 | flags (1 = suspended) | last review int32 |
//	                                talk seq uint32 of the card (so Stats needs no card record)
//	  due                           day key | card key → the card's Card.Order (8 bytes), for
//	                                every state of an active card not suspended. Import deletes
//	                                the entries of a card it retires and puts them back (from
//	                                the states) when it restores or moves one, so listing,
//	                                counting and next-due read the index alone. Cards due the
//	                                same day sort by card seq within the talk, then card ID.
//	  log                           uint64 sequence (bucket NextSequence) → 32 bytes, see below
//	  days                          day key → 109 bytes ("day aggregate"): version 1 | 3×6 uint32
//	                                answers by kind (review, repeat, quiz) and grade 0–5 | 6 uint32
//	                                scheduled reviews of mature cards by grade (a part of the review
//	                                row) | uint32 cards introduced | uint64 milliseconds spent
//	  talkdays                      talk slug | 0x00 | day key → a day aggregate of the answers on
//	                                that talk's cards (per-talk retention, last answer, quiz scores)
//	  talksum                       talk slug → 21 bytes: version 1 | scheduled reviews uint32 |
//	                                passed uint32 | quiz answers uint32 | right uint32 | last day
//	                                key: the talk's talkdays added up, one per talk that has any
//	                                (Stats' talk lines without reading every talk-day aggregate)
//	  settings                      "new_per_day", "day_start_hour", "session_limit" → int32
//	  undo                          log sequence → version 1 | day key (4) | flags | [previous
//	                                state (34)] | [state written (34)] | [talk seq uint32 |
//	                                previous global marker (16, if any) | previous "introduced"
//	                                marker (32, if any)]; flags: 1 a state was written, 2 the
//	                                card had a state, 4 there was a talk marker, 8 there was a
//	                                global marker, 16 the card was listed in early (Record took
//	                                it out). The last 50 are kept.
//	  intro                         talk seq uint32 → talk generation uint64 | epoch uint64 |
//	                                order key (16): every active card of the talk before that
//	                                key has a state; valid only while generation and epoch match
//	    "epoch"  uint64             bumped when SetSuspended removes a never-reviewed state
//	    "first"  order key (16)     global marker: every active card before it has a state or
//	                                is listed in early (16 × 0xff: past the last card); Record
//	                                moves it forward past cards with a state, nothing moves it back
//	  early                         order key (16) → empty: cards before "first" that may be new
//	                                again (an import added, restored or moved them, SetSuspended
//	                                removed their state); Record removes the card it introduces,
//	                                an import prunes entries no longer new; readers skip stale ones
//	  "statesum" 78 bytes           the state summary's head (below): version 1 | interval
//	                                histogram 8 × uint32 | easiness histogram 6 × uint32 | hard
//	                                list entries uint32 | bounded (1) | bound lapses uint32 |
//	                                bound easiness float64 bits | trim when past uint32
//	  sumtalk                       talk seq uint32 → 5 × uint32: the states of the talk's active
//	                                cards that are learning, young, mature, suspended, never
//	                                reviewed (a talk with none has no key)
//	  hard                          card key → lapses uint32 | easiness float64 bits | interval
//	                                uint32 | talk seq uint32: the hard list (below)
//	  sumdue                        day key → uint32: how many due-index entries that day has
//	                                (states of active cards not suspended, by due day)
//
// # State summary
//
// A report of all talks needs, of the user's states of active cards, how
// many each talk has in each stage, the interval and easiness histograms of
// those reviewed and not suspended, the hardest of them, and how many fall
// due on each of the next 30 days. Counting them was a pass over every
// state (730,000 at a million cards, 10,775 leaf pages, each a page fault
// on first touch) and over the due index's entries of those days
// (195,000), so each user keeps them in statesum, sumtalk, hard and
// sumdue, and every write of a state, or of whether its card is active,
// keeps them (noteState: the share the state had, the share it has now): Record, Undo, SetSuspended, and Import where it retires a
// card (its states leave), restores or moves one (they come back, or move to
// the card's new talk) and carries history to a successor. A state counts
// as scanStates would: suspended, else never reviewed (no repetitions,
// interval, lapses, due day or last review), else learning (interval of a
// day or less), young (under MatureInterval days) or mature; a talk seq past
// maxTalkSeq counts nowhere. The hard list holds the states of active cards
// reviewed and not suspended with lapses or an easiness below the initial
// one that are strictly harder (more lapses, then lower easiness) than the
// head's bound: all of them while there is no bound. Past its "trim" count
// it is cut to about 256 entries, the bound raised to the first value
// easier than the 256th (so ties stay whole), and the trim count set to
// twice what is left, at least 1,024. A bound never falls by itself: a
// bounded list whose cards grew easier, were suspended or retired until
// fewer than 64 are left is marked short (bounded byte 2) and rebuilt from
// the states by the next write transaction, as is a summary without due
// counts. The due counts count a state as the due index lists it: not
// suspended, by its due day, whatever its talk. A report reads the due
// index itself up to today (the talks' lines need today's by talk) and the
// counts for the days after. A report whose n-th hardest card is not
// strictly harder than the bound, or whose summary counts a talk that does
// not exist, falls back to the pass and reads the due index through. A
// new user starts with an empty summary; BulkHistory and Repair build it
// from the states; the migration to schema 2 builds every user's in the
// first write transaction (one to two seconds at a million cards), and
// until then a read-only handle on a schema 1 file reports from the pass.
// Verify compares the summary with the states (the counts, histograms and
// due counts exactly; the hard list: every entry a state's current
// figures, none missing above the bound).
//
// # Review log
//
// An entry is 32 bytes: version 1 | card key (8) | time int48 Unix
// milliseconds (6) | grade (1) | kind (1) | interval after uint16 days |
// easiness uint16 thousandths | time taken uint32 milliseconds | day int32
// (the day the answer counted for) | interval before uint16 days (0: the
// card had no state) | flags (1: the answer wrote the card's state, 2: it
// gave the card its first state). The key is the bucket's sequence,
// big-endian uint64, so entries sort by time of writing. Entries are never
// rewritten; Undo removes the last one (and resets the sequence) only.
//
// The entry holds everything the aggregates count, so days and talkdays can
// be rebuilt from the log alone (RecomputeAggregates) even after imports
// carried states between cards. The entry and day aggregate layouts changed
// (29 → 32 and 85 → 109 bytes, talkdays added), and so did the state (30 →
// 34 bytes, the talk seq), the due-index values (empty → the card's order),
// retired cards' due entries (kept → none), talksum, "first" and early,
// before any database had users, so the schema stayed at version 1. Any
// later change needs a version bump and a migration: the state summary was
// the first (schema 2, built by the first write transaction).
//
// # Aggregates
//
// Record adds each answer to the day's aggregate, to the talk-day
// aggregate of the card's talk and to the talk's summary; Undo subtracts
// exactly what Record added, read back from the log entry, deletes an
// aggregate that falls back to zero, and takes the summary's last day from
// the talk's last talk-day key left (no key left: no summary). A scheduled review (kind review) is of a mature card when the
// card's interval before it was MatureInterval (21) days or more; a new
// card's first review is young. Repeats and quiz answers are counted by
// grade but are never young or mature.

// # Pending answers
//
// A review session opens the file once per answer (never holding it while
// a person thinks). Recorded in place, an answer rewrites ~25 pages (the
// log, state, due index, day, talk-day and summary aggregates and undo
// trees, each from leaf to root), and any bbolt commit on a large file also
// reads and rewrites the freelist (~100 KB at a million cards) and syncs
// twice. So on a handle opened with KeepPending, RecordWith checks the
// answer as Record would and writes it to the answers journal, a small
// file beside the database named like it plus "-pending" (JournalPath),
// with one write and one sync; the first answer that creates the file also
// syncs its folder. That record is the answer's commit: a crash after it
// loses nothing, a crash during it loses only that answer, never
// acknowledged. The journal:
//
//	magic "tcpend2\n" (8), records, then zero bytes to the end of the file
//	  record: payload length uint32 (never 0) | sequence number uint64 |
//	          payload | CRC-32C (Castagnoli) of all before it in the
//	          record, uint32; big-endian
//	  payload: version 1 | user name length (1) | user name | day int32 |
//	           the review as the log encodes it (32; the fields Record
//	           derives from the database zero) | 0, or 1 and the next state
//	           (34, talk seq 0)
//
// The zero bytes are room for the answers to come, written as real zeros
// (not fallocate: ext4's unwritten extents would make the first write into
// them a metadata change again): 64 KiB by the write that empties the
// journal (below), more by an answer that needs more room, in the same
// write as its record. So an answer overwrites zeros in place and its
// fdatasync commits no change of the file's size, which on ext4 goes
// through the file system's journal. An answer that needs more room grows
// the file to the next multiple of a step: the file's size, but at least
// 4 KiB (a new journal's first answer writes one block, as an append
// would) and at most 64 KiB. Sequence numbers
// increase through the file; a length of 0 ends the records. After the
// last record that checks out, at byte good:
//   - all zero to the end of the file: the clean end;
//   - else, when every nonzero byte lies before good + 4,120 (the magic and
//     the longest record: what one answer writes there) and no record that
//     checks out starts after good: a torn write, an answer whose sync
//     never returned. It is dropped silently, and the next answer writes
//     its record at good and zeroes those bytes in the same write;
//   - else the journal is damaged (below).
//
// A file whose first 8 bytes (or fewer, all it has) are each zero or the
// magic's byte is an answer's write that was to start the file afresh and
// never completed: it holds no records, and what follows is judged from
// byte 0 as above.
//
// An answer goes after the last record while answers are waiting. With
// none waiting (no records, or all at or below "pendingSeq"), the file
// starts afresh: magic and record at byte 0, in place over a file with no
// records and at most 64 KiB long, else after cutting the file to
// nothing. Applied records are never overwritten in place: a torn write
// over them would mix new bytes with old records and look like damage,
// and the database would not open. A "tcpend1\n" journal, an older
// talkcards' (records up to the end of the file, no zero bytes, only the
// last record may be torn), is read as that talkcards read it and
// appended to as it did while answers in it are waiting; with none
// waiting, the next answer starts it afresh as above.
//
// Locks: an answer's handle holds the database's lock shared (so a stats
// in another terminal never waits for it, and the open skips loading the
// freelist; AnswersShareLock, false where there is no flock, makes it
// exclusive instead), and the journal's flock exclusive, which orders
// answers of concurrent sessions. A writer holds the database's lock
// exclusive, so no answer is being written while it applies the journal.
//
// A review session records each answer with RecordAnswer rather than an
// Open with KeepPending: it opens the file read-only, takes the same
// shared flock bbolt's read-only open takes (retried every 50 ms up to
// the timeout, then ErrBusy), checks both meta pages as Open does and
// reads the few pages the answer needs (meta "schema" and "pendingSeq",
// the pending bucket, users/<user>/state/<card> and cards/<card>) with
// pread into a reused buffer, following bbolt's page format and search,
// never mapping the file and never writing it. What it read goes to the
// same journal code RecordWith on a KeepPending handle uses
// (appendJournal), so the answer, its checks and the journal's bytes are
// the same. On a large file this skips the mmap, the page faults of first
// touches and the munmap, which made an answer's fixed cost larger than
// its sync. Anything it does not expect (answers in the pending bucket, a
// full journal, a schema it does not know, a user bucket without states,
// a page that does not check out) it leaves, before calling the answer's
// function and with its lock released, to Open, RecordWith and Close,
// which also report any damage as before.
//
// RecordWith on such a handle reads a card's state from the newest
// journal record of that user and card that wrote one, else from state.
// The first write transaction of any handle (every update applies them
// first, so an undo or a suspend in the session sees them) and every Open
// without KeepPending (a read-only Open reopens the file for writing to do
// it; a file it cannot write is read without them, DB.Unapplied says how
// many) applies the records, in order, exactly as Record would have then
// (recordTx), stores the newest one's sequence number in meta "pendingSeq"
// in the same transaction, and empties the journal after the commit: cut
// to nothing, then 64 KiB of zeros written and synced (a journal already
// holding nothing but zeros is left alone). The file stays, so the next
// session's answers neither create it (and sync the folder) nor grow it:
// the writer pays for the room, not an answer. A record at or below that number was applied
// already (a crash between the commit and the emptying leaves it in the
// file): it is skipped, and the next answer starts the file afresh. A
// torn write is dropped; a record that does not check out followed by one
// that does, data past a torn write's reach, or a record that names a
// card that is gone fails the open with ErrPendingDamaged (the database
// untouched). Verify reports such records; Repair applies the others and
// drops them. Past 1,024 records RecordWith applies them and records in
// place, reopening the file for writing.
//
// Before the journal (stop 9), answers waited in the same encoding in the
// root bucket pending (key: bucket sequence, big-endian uint64); a file
// left with some applies them first, and an answer on such a file is
// recorded in place after applying them.
//
// # Import
//
// Import runs in one transaction (a dry run rolls it back). Into a
// database that does not exist yet, a NewImport (ImportNew: all files at
// once) runs Import's transaction on a scratch bbolt file beside the path
// with the large buckets' sorted keys held back, taking the files one at a
// time while the caller reads the rest (each new card added and its record
// encoded at once, so nothing else of a file stays in memory), reads every
// bucket back, and writes the whole database page
// by page without bbolt (pagewrite.go: leaf pages filled, branch pages
// above, small buckets inline, an empty freelist, both meta pages valid)
// into a hidden file beside the path, synced once, then links it into
// place as Open creates a database: the path holds nothing or the whole
// import, with the same buckets, keys, values and sequences as Open then
// Import. An import it cannot write that way (a nested bucket, keys out of
// order) commits the scratch file and adds the large buckets in batches
// of sorted keys instead. For the files
// named: a stored card produced again (same ID) is refreshed and counted
// Unchanged, or Updated when its prompt or answer changed, or New
// (Restored) when it was retired. A stored card of these files not
// produced again is retired — never deleted; states and log stay. Each
// retired card's history goes to the most similar new card of the same
// talk, heading path and kind (deck.Similarity of the keys at least
// CarryThreshold, best pair first, one-to-one): every user's state and due
// entry move (a retired card keeps its states but loses its due entries;
// restoring or moving a card puts them back from the states), the link is recorded in links and Card.Successor, and the
// pair counts once as Updated. Other files' cards are untouched; talks are
// never removed. Unchanged data is not rewritten. A file whose stamp hash,
// generator version and name match its generated record, and whose talks
// no other file makes, may be passed Kept (not parsed): Import re-checks
// that in its transaction (StaleError otherwise), leaves its cards as they
// are and counts them Unchanged, as a full import would (keep.go).
//
// # Cost
//
// Due, DueCount and NextDue read the due index alone (keys and values), from
// its first key (or the day sought) and stop at the day or the limit.
// NewCards across all talks reads the user's early list, then the order
// index from the global marker: O(new cards returned) plus the cards passed
// since the last Record moved the marker. NewCards of one talk starts at the
// user's "introduced" marker of the talk, which
// Record advances past cards that have a state (amortised O(1) per card);
// an import that activates or reorders a talk's cards bumps the talk's
// generation, and markers of an older generation are ignored (one scan of
// that talk). Count reads two counters. Stats of all talks reads the day
// aggregates, the talk summaries and the state summary (O(days + talks +
// the hard list)), the card records of the hardest cards, the due index up
// to today (O(cards due)) and the due counts of the 30 days after;
// without a state summary, the user's states in one sequential pass
// (O(states); a state names its talk), the order index of talks with
// retired cards and the due index up to 30 days ahead instead. Stats of one talk reads
// its talk-day aggregates and its cards' states through the order index.
// TalkCounts reads the talks, the state summary and the due index up to
// today. It never reads the review log (BenchmarkStats: the same cost
// for a log ten times longer over the same days). Record appends to the log
// with FillPercent 1, so a log grown answer by answer fills its pages as
// the bulk loader's does.
package storage
