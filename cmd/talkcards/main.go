// Command talkcards turns conference talk notes into spaced-repetition cards
// and runs daily SM-2 reviews in the terminal.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
