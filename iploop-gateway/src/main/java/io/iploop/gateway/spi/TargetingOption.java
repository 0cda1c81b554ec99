package io.iploop.gateway.spi;

/**
 * A targeting parameter a plan may or may not include (docs/product/plans.md#entitlements: country on every plan,
 * state and city from Growth, ASN from Business). Named by its proxy-password parameter.
 */
public enum TargetingOption {
    COUNTRY, STATE, CITY, ZIP, ASN, ISP;

    /** The proxy-password parameter name, e.g. {@code city}. */
    public String parameter() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
