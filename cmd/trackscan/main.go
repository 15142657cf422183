// Command trackscan finds the gap between what a site or an email does and
// what its privacy policy says.
package main

import (
	"os"

	"github.com/trackscan/trackscan/cmd/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
