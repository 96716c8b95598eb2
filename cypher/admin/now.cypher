// The database server's clock (instants compared with ones it wrote).
RETURN datetime() AS now
