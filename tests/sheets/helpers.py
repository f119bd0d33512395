"""Build the POST data a browser would send back for the formsets an edit page rendered."""

from django import forms as django_forms


def _value(value):
    return "" if value is None else getattr(value, "pk", value)


def formset_post_data(response) -> dict:
    data = {}
    for _title, formset in response.context["formsets"]:
        if hasattr(formset, "management_form"):
            management = formset.management_form
            for name in management.fields:
                data[management.add_prefix(name)] = management[name].value()
            forms = formset.forms
        else:
            forms = [formset]
        for form in forms:
            for name, field in form.fields.items():
                value = form[name].value()
                if isinstance(field, django_forms.BooleanField):
                    if value:
                        data[form.add_prefix(name)] = "on"
                    continue
                data[form.add_prefix(name)] = _value(value)
    return data
