package io.iploop.server.billing.internal;

import io.iploop.server.billing.CreditNote;
import io.iploop.server.billing.CreditNoteKind;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.InvoiceLine;
import io.iploop.server.billing.InvoiceStatus;
import io.iploop.server.billing.PaymentInstructions;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.openpdf.text.Document;
import org.openpdf.text.DocumentException;
import org.openpdf.text.Element;
import org.openpdf.text.Font;
import org.openpdf.text.FontFactory;
import org.openpdf.text.PageSize;
import org.openpdf.text.Paragraph;
import org.openpdf.text.Phrase;
import org.openpdf.text.pdf.PdfPCell;
import org.openpdf.text.pdf.PdfPTable;
import org.openpdf.text.pdf.PdfWriter;
import org.springframework.stereotype.Component;

/**
 * Renders an invoice as PDF with OpenPDF (docs/billing.md#invoices): seller, buyer, number and
 * dates, the lines with amounts in USD, VAT with its rate or the note why none was charged
 * (docs/billing.md#vat), total, its status and, while open, the payment instructions; and credit
 * notes (docs/billing.md#refunds). Stateless; thread-safe.
 */
@Component
class InvoicePdf {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

    private final BillingSettings settings;

    InvoicePdf(BillingSettings settings) {
        this.settings = settings;
    }

    /** The PDF bytes of {@code invoice} in its current status. */
    byte[] render(Invoice invoice, PaymentInstructions instructions) {
        return document("Invoice " + invoice.number(), (doc, bold, normal) -> {
            doc.add(new Paragraph("Status: " + invoice.status().value().toUpperCase(java.util.Locale.ROOT)
                    + (invoice.status() == InvoiceStatus.PAID && invoice.paidAt() != null
                            ? " on " + DATE.format(invoice.paidAt()) + " (reference " + invoice.paymentReference() + ")"
                            : ""), bold));
            doc.add(new Paragraph("Issued: " + DATE.format(invoice.createdAt()), normal));
            doc.add(new Paragraph(" "));
            doc.add(new Paragraph("Seller", bold));
            doc.add(new Paragraph(settings.seller().name(), normal));
            seller(doc, normal);
            doc.add(new Paragraph(" "));
            doc.add(new Paragraph("Bill to", bold));
            doc.add(new Paragraph(invoice.buyerName(), normal));
            if (invoice.buyerAddress() != null) {
                doc.add(new Paragraph(invoice.buyerAddress(), normal));
            }
            if (invoice.buyerCountry() != null) {
                doc.add(new Paragraph("Country: " + invoice.buyerCountry(), normal));
            }
            if (invoice.buyerVatId() != null) {
                doc.add(new Paragraph("VAT ID: " + invoice.buyerVatId(), normal));
            }
            doc.add(new Paragraph(invoice.buyerEmail(), normal));
            doc.add(new Paragraph(" "));

            PdfPTable table = new PdfPTable(4);
            table.setWidthPercentage(100);
            table.setWidths(new float[] {6, 1, 2, 2});
            for (String h : new String[] {"Description", "Qty", "Unit price", "Amount"}) {
                table.addCell(new PdfPCell(new Phrase(h, bold)));
            }
            for (InvoiceLine line : invoice.lines()) {
                table.addCell(new PdfPCell(new Phrase(line.description(), normal)));
                table.addCell(right(Integer.toString(line.quantity()), normal));
                table.addCell(right(usd(line.unitCents(), invoice.currency()), normal));
                table.addCell(right(usd(line.amountCents(), invoice.currency()), normal));
            }
            total(table, "Subtotal", usd(invoice.subtotalCents(), invoice.currency()), normal);
            total(table, "VAT (" + invoice.taxRatePercent().toPlainString() + " %)",
                    usd(invoice.taxCents(), invoice.currency()), normal);
            total(table, "Total", usd(invoice.totalCents(), invoice.currency()), bold);
            doc.add(table);
            if (invoice.taxNote() != null) {
                doc.add(new Paragraph(invoice.taxNote(), bold));
            }

            if (invoice.status() == InvoiceStatus.OPEN && StripeBilling.PROVIDER.equals(invoice.provider())) {
                doc.add(new Paragraph(" "));
                doc.add(new Paragraph("How to pay: by card through Stripe Checkout (the link on the billing page)",
                        bold));
            } else if (invoice.status() == InvoiceStatus.OPEN) {
                doc.add(new Paragraph(" "));
                doc.add(new Paragraph("How to pay: " + instructions.providerLabel(), bold));
                doc.add(new Paragraph("Account holder: " + instructions.accountHolder(), normal));
                doc.add(new Paragraph("Bank: " + instructions.bankName(), normal));
                doc.add(new Paragraph("IBAN: " + instructions.iban(), normal));
                doc.add(new Paragraph("BIC: " + instructions.bic(), normal));
                doc.add(new Paragraph("Reference: " + invoice.number(), bold));
                doc.add(new Paragraph(instructions.note(), normal));
            }
        });
    }

    private void seller(Document doc, Font normal) {
        if (!settings.seller().address().isBlank()) {
            doc.add(new Paragraph(settings.seller().address(), normal));
        }
        if (settings.vat().registered() && !settings.vat().sellerVatId().isBlank()) {
            doc.add(new Paragraph("VAT ID: " + settings.vat().sellerVatId(), normal));
        }
    }

    /** The PDF of a credit note against {@code invoice}, rendered once when it is issued. */
    byte[] renderCreditNote(CreditNote note, Invoice invoice) {
        return document("Credit note " + note.number(), (doc, bold, normal) -> {
            doc.add(new Paragraph((note.kind() == CreditNoteKind.REFUND ? "Refund" : "Chargeback") + " of invoice "
                    + invoice.number() + " issued " + DATE.format(invoice.createdAt()), bold));
            doc.add(new Paragraph("Issued: " + DATE.format(note.createdAt()), normal));
            doc.add(new Paragraph("Reason: " + note.reason(), normal));
            doc.add(new Paragraph(" "));
            doc.add(new Paragraph("Seller", bold));
            doc.add(new Paragraph(settings.seller().name(), normal));
            seller(doc, normal);
            doc.add(new Paragraph(" "));
            doc.add(new Paragraph("Credited to", bold));
            doc.add(new Paragraph(invoice.buyerName(), normal));
            if (invoice.buyerVatId() != null) {
                doc.add(new Paragraph("VAT ID: " + invoice.buyerVatId(), normal));
            }
            doc.add(new Paragraph(invoice.buyerEmail(), normal));
            doc.add(new Paragraph(" "));
            PdfPTable table = new PdfPTable(2);
            table.setWidthPercentage(100);
            table.setWidths(new float[] {8, 2});
            table.addCell(new PdfPCell(new Phrase("Credited (net)", normal)));
            table.addCell(right(usd(-note.netCents(), note.currency()), normal));
            table.addCell(new PdfPCell(new Phrase("VAT (" + invoice.taxRatePercent().toPlainString() + " %)", normal)));
            table.addCell(right(usd(-note.taxCents(), note.currency()), normal));
            table.addCell(new PdfPCell(new Phrase("Total credited", bold)));
            table.addCell(right(usd(-note.amountCents(), note.currency()), bold));
            doc.add(table);
            if (invoice.taxNote() != null) {
                doc.add(new Paragraph(invoice.taxNote(), bold));
            }
            if (note.credits() != null) {
                doc.add(new Paragraph("Prepaid credits taken back: " + note.credits().toPlainString(), normal));
            }
            if (note.gb() != null) {
                doc.add(new Paragraph("GB taken back from the plan balance: " + note.gb().toPlainString(), normal));
            }
        });
    }

    /** What a document adds after its title line, in the bold and normal body fonts. */
    @FunctionalInterface
    private interface Body {
        void write(Document doc, Font bold, Font normal) throws DocumentException;
    }

    /** An A4 PDF titled {@code title} (also its first line), seller as creator, with {@code body} below. */
    private byte[] document(String title, Body body) {
        Font heading = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 18);
        Font bold = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 10);
        Font normal = FontFactory.getFont(FontFactory.HELVETICA, 10);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Document doc = new Document(PageSize.A4, 50, 50, 50, 50);
        try {
            PdfWriter.getInstance(doc, out);
            doc.addTitle(title);
            doc.addCreator(settings.seller().name());
            doc.open();
            doc.add(new Paragraph(title, heading));
            body.write(doc, bold, normal);
            doc.close();
        } catch (DocumentException e) {
            throw new IllegalStateException(title + " could not be rendered", e);
        }
        return out.toByteArray();
    }

    private static PdfPCell right(String text, Font font) {
        PdfPCell cell = new PdfPCell(new Phrase(text, font));
        cell.setHorizontalAlignment(Element.ALIGN_RIGHT);
        return cell;
    }

    private static void total(PdfPTable table, String label, String amount, Font font) {
        PdfPCell cell = new PdfPCell(new Phrase(label, font));
        cell.setColspan(3);
        cell.setHorizontalAlignment(Element.ALIGN_RIGHT);
        table.addCell(cell);
        table.addCell(right(amount, font));
    }

    /** {@code cents} as e.g. "USD 25.00". */
    static String usd(long cents, String currency) {
        return currency + " " + BigDecimal.valueOf(cents, 2).toPlainString();
    }
}
