// Package export writes an event's participant list as CSV (UTF-8 with a
// BOM, for Swedish Excel) or XLSX.
//
// It imports store. Entry points: WriteCSV and WriteXLSX.
package export
