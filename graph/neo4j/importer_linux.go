package neo4j

import (
	osexec "os/exec"
	"syscall"
)

// dieWithParent makes the importer's JVM receive SIGKILL when the process that started it dies,
// so that a load killed half-way leaves no importer still writing into the staging directory.
func dieWithParent(cmd *osexec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
