// Package fuzz holds fuzz targets of the HTTP API that run without
// Temporal. Apart from the api package's own tests, their instrumented
// build leaves out the embedded Temporal server, so a short run takes
// seconds to start rather than many minutes.
package fuzz
