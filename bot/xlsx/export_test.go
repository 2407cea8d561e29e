package xlsx

// SheetName is sheetName, for the reference workbook of the tests.
var SheetName = sheetName
