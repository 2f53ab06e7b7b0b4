package deck

// GeneratorVersion names what the generator makes of a notes file: the
// talks notes.Parse reads from it, the cards Generate makes of each (IDs,
// kinds, prompts, answers, keys, sources, order) and the talk slugs the
// command line picks (cmd/talkcards load.go). Import remembers it with each
// file's stamp and keeps the cards of a file whose content and generator
// are both unchanged without reading the file again
// (storage.SourceFile.Kept). So bump it with every change that alters that
// output for any input, however small: without the bump, the cards of
// unchanged files would keep the old output until their notes are edited.
// TestGeneratorVersionBumped ties the notes and deck goldens to it.
const GeneratorVersion = 1
