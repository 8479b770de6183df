/* src/vsphere/soap.c: envelopes built with libxml2 escape user values, and
 * responses are read namespace-aware whatever prefixes the server uses. */
#include "config.h"

#include <check.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "vsphere/soap.h"

static const char *const nasty = "a<b>&\"c'd]]></name><evil/>\xc3\xa9";

START_TEST(values_are_escaped)
{
    struct soap_req r;
    struct soap_resp resp;
    xmlChar *out;
    int len;
    char *back, *wrapped;

    soap_req_init(&r, "CloneVM_Task");
    soap_add_moref(r.method, "_this", "VirtualMachine", "vm-1\"/><x");
    soap_add_text(r.method, "name", nasty);
    soap_add_string_value(r.method, "value", nasty);
    out = soap_req_serialize(&r, &len);
    ck_assert_ptr_null(strstr((const char *)out, "<evil/>"));
    ck_assert_ptr_null(strstr((const char *)out, "<x"));
    /* Parse it back: the values come out exactly as they went in. */
    wrapped = xstrdup((const char *)out);
    ck_assert_int_eq(soap_parse(wrapped, strlen(wrapped), &resp, NULL), DR_E_OK);
    ck_assert_ptr_nonnull(resp.result);
    ck_assert_str_eq((const char *)resp.result->name, "CloneVM_Task");
    back = soap_child_text(resp.result, "name");
    ck_assert_str_eq(back, nasty);
    free(back);
    back = soap_child_text(resp.result, "_this");
    ck_assert_str_eq(back, "vm-1\"/><x");
    free(back);
    back = soap_type(soap_child(resp.result, "value"));
    ck_assert_str_eq(back, "string");
    free(back);
    soap_resp_done(&resp);
    free(wrapped);
    xmlFree(out);
    soap_req_done(&r);
}
END_TEST

/* The fault as govmomi's simulator sends it, and as vCenter does with other
 * prefixes: the name comes from xsi:type whatever the prefix. */
START_TEST(fault_any_prefix)
{
    static const char *const docs[] = {
        "<?xml version=\"1.0\"?><soapenv:Envelope "
        "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
        "xmlns:xsi=\"http://www.w3.org/2001/"
        "XMLSchema-instance\"><soapenv:Body><soapenv:Fault><faultcode>"
        "ServerFaultCode</faultcode><faultstring>Login "
        "failure</faultstring><detail><InvalidLoginFault "
        "xmlns=\"urn:vim25\" "
        "xsi:type=\"InvalidLogin\"></InvalidLoginFault></detail></soapenv:Fault>"
        "</soapenv:Body></soapenv:Envelope>",
        "<S:Envelope "
        "xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\"><S:Body><S:Fault><faultcode>x"
        "</faultcode><faultstring>Login failure\n</faultstring><detail><f xmlns:XMLSchema-instance="
        "\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:v=\"urn:vim25\" "
        "XMLSchema-instance:type="
        "\"v:InvalidLogin\"/></detail></S:Fault></S:Body></S:Envelope>",
        "<S:Envelope "
        "xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\"><S:Body><S:Fault><faultcode>x"
        "</faultcode><faultstring>Login failure</faultstring><detail><InvalidLoginFault "
        "xmlns=\"urn:vim25\"/>"
        "</detail></S:Fault></S:Body></S:Envelope>",
    };

    for (size_t i = 0; i < DR_ARRAY_LEN(docs); i++) {
        struct soap_resp r;
        ck_assert_int_eq(soap_parse(docs[i], strlen(docs[i]), &r, NULL), DR_E_OK);
        ck_assert_ptr_null(r.result);
        ck_assert_str_eq(r.fault_name, "InvalidLogin");
        ck_assert_str_eq(r.fault_msg, "Login failure");
        soap_resp_done(&r);
    }
}
END_TEST

START_TEST(fault_without_message)
{
    const char *doc =
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><soapenv:Fault>"
        "<faultcode>ServerFaultCode</faultcode><faultstring></faultstring><detail>"
        "<InvalidPowerStateFault xmlns=\"urn:vim25\" "
        "xsi:type=\"InvalidPowerState\"><requestedState>"
        "poweredOff</requestedState><existingState>poweredOn</existingState></"
        "InvalidPowerStateFault>"
        "</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
    struct soap_resp r;

    ck_assert_int_eq(soap_parse(doc, strlen(doc), &r, NULL), DR_E_OK);
    ck_assert_str_eq(r.fault_name, "InvalidPowerState");
    ck_assert_str_eq(r.fault_msg, "requestedState=poweredOff, existingState=poweredOn");
    soap_resp_done(&r);
}
END_TEST

START_TEST(not_soap)
{
    static const char *const bad[] = {
        "",
        "not xml",
        "<html><body>502 Bad Gateway</body></html>",
        "<Envelope><Body><x/></Body></Envelope>", /* no SOAP namespace */
        "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\"><S:Body/></S:Envelope>",
        "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><S:Envelope "
        "xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\"><S:Body><R>&e;</R></S:Body></"
        "S:Envelope>",
    };

    for (size_t i = 0; i < DR_ARRAY_LEN(bad); i++) {
        struct soap_resp r;
        struct dr_error e = {0};
        ck_assert_int_eq(soap_parse(bad[i], strlen(bad[i]), &r, &e), DR_E_PROTO);
        ck_assert(e.msg[0] != '\0');
        ck_assert_ptr_null(r.doc);
    }
}
END_TEST

/* SOAP has no DTDs: a response that declares entities is refused, so not
 * even an internal entity is expanded into a fault message. */
START_TEST(dtd_refused)
{
    const char *doc =
        "<?xml version=\"1.0\"?><!DOCTYPE S:Envelope [<!ENTITY a \"expanded\">]>"
        "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\"><S:Body><S:Fault>"
        "<faultcode>x</faultcode><faultstring>&a;</faultstring></S:Fault></S:Body></S:Envelope>";
    struct soap_resp r;
    struct dr_error e = {0};

    ck_assert_int_eq(soap_parse(doc, strlen(doc), &r, &e), DR_E_PROTO);
    ck_assert_ptr_nonnull(strstr(e.msg, "document type declaration"));
    ck_assert_ptr_null(r.fault_msg);
    ck_assert_ptr_null(r.doc);
}
END_TEST

START_TEST(children_and_numbers)
{
    const char *doc =
        "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\"><S:Body><R "
        "xmlns=\"urn:vim25\">"
        "<returnval><a>1</a><n>42</n><n>43</n><b>true</b><bad>12x</bad></returnval></R></S:Body></"
        "S:Envelope>";
    struct soap_resp r;
    xmlNodePtr rv;
    int count = 0;

    ck_assert_int_eq(soap_parse(doc, strlen(doc), &r, NULL), DR_E_OK);
    rv = soap_child(r.result, "returnval");
    ck_assert_int_eq(soap_child_ll(rv, "n", 0), 42);
    ck_assert_int_eq(soap_child_ll(rv, "bad", -1), -1);
    ck_assert_int_eq(soap_child_ll(rv, "missing", 7), 7);
    ck_assert(soap_child_bool(rv, "b", false));
    soap_each(n, rv, "n") count++;
    ck_assert_int_eq(count, 2);
    ck_assert_ptr_null(soap_child_text(rv, "missing"));
    soap_resp_done(&r);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("soap");
    TCase *tc = tcase_create("soap");
    SRunner *sr;
    int failed;

    xmlInitParser();
    tcase_add_test(tc, values_are_escaped);
    tcase_add_test(tc, fault_any_prefix);
    tcase_add_test(tc, fault_without_message);
    tcase_add_test(tc, not_soap);
    tcase_add_test(tc, dtd_refused);
    tcase_add_test(tc, children_and_numbers);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    xmlCleanupParser();
    return failed ? 1 : 0;
}
