package io.iploop.server.platform.v2.internal;

import io.iploop.server.platform.v2.ListQuery;
import io.iploop.server.platform.v2.V2Get;
import io.iploop.server.platform.v2.V2List;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.web.method.HandlerMethod;

/**
 * Documents the query parameters a {@link V2List} / {@link V2Get} declaration accepts (page, limit,
 * sort with its whitelist, order, fields, filters) and the envelope, from the same annotation the
 * parser reads, so the OpenAPI document cannot drift from what is enforced. Stateless; thread-safe.
 */
final class V2OpenApiCustomizer implements OperationCustomizer {

    private static final String ENVELOPE = "\n\nResponse: the v2 envelope `{success, data, error, meta}` (docs/product/api.md#api-v2)"
            + "; `ETag` on success, `If-None-Match` answers 304. Unknown parameters answer 400 naming them.";

    @Override
    public Operation customize(Operation operation, HandlerMethod handler) {
        @Nullable V2List list = handler.getMethodAnnotation(V2List.class);
        @Nullable V2Get get = handler.getMethodAnnotation(V2Get.class);
        if (list == null && get == null) {
            return operation;
        }
        Class<? extends Record> type = list != null ? list.value() : java.util.Objects.requireNonNull(get).value();
        if (list != null) {
            add(operation, "page", "1-based page number", integer(1, ListQuery.MAX_PAGE, 1));
            add(operation, "limit", "items per page (1-" + list.maxLimit() + ")",
                    integer(1, list.maxLimit(), list.defaultLimit()));
            StringSchema sort = new StringSchema();
            sort.setEnum(Arrays.asList(list.sort()));
            sort.setDefault(list.sort()[0]);
            add(operation, "sort", "sort field (camelCase or snake_case)", sort);
            StringSchema order = new StringSchema();
            order.setEnum(List.of("asc", "desc"));
            order.setDefault(list.ascending() ? "asc" : "desc");
            add(operation, "order", "sort order", order);
            for (String f : list.filters()) {
                add(operation, f, "filter: only items whose " + f + " matches", new StringSchema());
            }
        }
        add(operation, "fields", "comma-separated fields to return, any of: " + String.join(", ",
                Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList()), new StringSchema());
        operation.setDescription((operation.getDescription() == null ? "" : operation.getDescription()) + ENVELOPE);
        envelope(operation, type, list != null);
        return operation;
    }

    /**
     * Replaces the 200 response's schema (what the handler returns: the item, or {@code Paged<Item>})
     * by the envelope the client receives: {@code {success, data: Item | Item[], meta?}}.
     */
    private static void envelope(Operation operation, Class<? extends Record> type, boolean list) {
        @Nullable ApiResponse ok = operation.getResponses() == null ? null : operation.getResponses().get("200");
        if (ok == null || ok.getContent() == null) {
            return;
        }
        for (MediaType media : ok.getContent().values()) {
            Schema<?> item = new Schema<>().$ref("#/components/schemas/" + type.getSimpleName());
            ObjectSchema body = new ObjectSchema();
            body.addProperty("success", new BooleanSchema());
            body.addProperty("data", list ? new ArraySchema().items(item) : item);
            if (list) {
                ObjectSchema meta = new ObjectSchema();
                meta.addProperty("page", new IntegerSchema());
                meta.addProperty("limit", new IntegerSchema());
                meta.addProperty("total", new IntegerSchema().format("int64"));
                body.addProperty("meta", meta);
            }
            body.setRequired(List.of("success", "data"));
            media.setSchema(body);
        }
    }

    private static IntegerSchema integer(int min, int max, int byDefault) {
        IntegerSchema schema = new IntegerSchema();
        schema.setMinimum(BigDecimal.valueOf(min));
        schema.setMaximum(BigDecimal.valueOf(max));
        schema.setDefault(byDefault);
        return schema;
    }

    private static void add(Operation operation, String name, String description, Schema<?> schema) {
        if (operation.getParameters() != null
                && operation.getParameters().stream().anyMatch(p -> name.equals(p.getName()))) {
            return;
        }
        operation.addParametersItem(new Parameter().in("query").name(name).required(false).description(description)
                .schema(schema));
    }
}
