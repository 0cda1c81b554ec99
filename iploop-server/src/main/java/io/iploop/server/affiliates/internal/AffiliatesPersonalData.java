package io.iploop.server.affiliates.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataRows;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Affiliate data of a person (docs/privacy.md, docs/affiliates.md): the commissions they earned (the
 * referred customers as opaque ids only) and their own top-ups that earned somebody a commission, and
 * the number of clicks on their link (visitor ids are random and name nobody). Erasure deletes the
 * clicks; commissions stay, as the ledger's postings were computed from them. Thread-safe.
 */
@Component
class AffiliatesPersonalData implements PersonalData {

    private final JdbcClient jdbc;

    AffiliatesPersonalData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String feature() {
        return "affiliates";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.json("commissions-earned.json", PersonalDataRows.json(jdbc, userId,
                "FROM affiliate_commissions r WHERE r.affiliate_id = :id", "r.created_at, r.id", "affiliate_id"));
        out.json("top-ups-with-commission.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(jsonb_build_object('topUpTransaction', c.top_up_transaction,
                            'topUpAmount', c.top_up_amount, 'createdAt', c.created_at) ORDER BY c.created_at, c.id), '[]')
                        FROM affiliate_commissions c WHERE c.referee_id = :id""")
                .param("id", userId).query().singleValue());
        out.json("clicks.json", jdbc.sql("""
                        SELECT jsonb_build_object('clicks', count(*)) FROM affiliate_clicks WHERE affiliate_id = :id""")
                .param("id", userId).query().singleValue());
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        jdbc.sql("DELETE FROM affiliate_clicks WHERE affiliate_id = :id").param("id", subject.userId()).update();
    }
}
