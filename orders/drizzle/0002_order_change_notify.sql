-- Every committed change of an order NOTIFYs its id (Postgres delivers it at commit, to every
-- orders replica that LISTENs), so GET /api/orders/:id/events pushes changes whichever replica
-- or listener made them.
CREATE FUNCTION orders_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('microtick_order_changed', NEW.id::text);
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER orders_notify_change AFTER INSERT OR UPDATE ON "orders" FOR EACH ROW EXECUTE FUNCTION orders_notify_change();
