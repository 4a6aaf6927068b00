"""Reference catalogs (majors, occupations, industries, divisions) and the enumerations of the forms."""
