/**
 * The {@code /api/v2} conventions (docs/product/api.md#api-v2) as one reusable piece: every JSON
 * response under {@code /api/v2/} is wrapped in the {@link io.iploop.server.platform.v2.Envelope}
 * {@code {success, data, error, meta}} (errors too, including 401, 403 and 429), every successful GET
 * carries an {@code ETag} and answers {@code If-None-Match} with 304 and no body, and annotated
 * handlers get validated pagination, filtering, sorting and field selection. To offer an endpoint
 * under v2 (e.g. {@code /api/v2/admin/users}), add a handler in the feature's {@code .internal}
 * controller that calls the same service as v1 and returns plain data: for a list, annotate it
 * {@code @V2List(value = Item.class, filters = {"status"}, sort = {"createdAt", "email"})}, take a
 * {@link io.iploop.server.platform.v2.ListQuery} argument, pass {@code query.filter("status")},
 * {@code query.sort()}, {@code query.ascending()}, {@code query.offset()} and {@code query.limit()} to a
 * paged service method whose SQL filters, orders (map the whitelisted sort name to a column, never
 * splice user text) and pages, and return a {@link io.iploop.server.platform.v2.Paged}; a bounded
 * per-account list may instead use {@link io.iploop.server.platform.v2.ListQuery#apply}. For one
 * object, annotate the handler {@code @V2Get(Item.class)} and return the object. Unknown or malformed
 * parameters answer 400 {@code unknown_parameter}/{@code invalid_parameter} naming them before the
 * handler runs, and the same annotations document the parameters in {@code /api/openapi.json}.
 * Exposed to every feature as the {@code platform :: v2} named interface of the shared
 * {@code platform} application module ({@code docs/architecture.md}).
 */
@NullMarked
@NamedInterface("v2")
package io.iploop.server.platform.v2;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
