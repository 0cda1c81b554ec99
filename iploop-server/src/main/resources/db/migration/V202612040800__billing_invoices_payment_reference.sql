-- Stripe dispute and refund events name the payment intent, not the invoice: the invoice is found by
-- the reference settle stored ("stripe pi_…"), docs/billing.md#stripe.
CREATE INDEX billing_invoices_payment_reference ON billing_invoices (payment_reference)
    WHERE payment_reference IS NOT NULL;
