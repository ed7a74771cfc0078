"""Recipe pages: ``/recipes/`` (list), ``/recipes/new/``, ``/recipes/<id>/`` (details + launch),
``/recipes/<id>/edit/``, ``/recipes/<id>/delete/``, ``POST /recipes/<id>/launch/``.

Admins (AccountAdmin) create, edit and delete; anyone of the account sees the list; people the
recipe allows (and whose roles may create servers) launch it with a name. Another account's recipe
is a 404 everywhere.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.models import User
from apps.accounts.services import client_for_request, user_datacenters
from apps.actions.flash import flash
from apps.actions.services import KEY_FIELD
from apps.clc import datacenters as clc_datacenters
from apps.inventory import selectors

from . import services
from .forms import RecipeForm, initial_of
from .models import Recipe

LAUNCH_FIELDS = {"name", KEY_FIELD, "csrfmiddlewaretoken"}


def _recipe_or_404(request, recipe_id) -> Recipe:
    recipe = services.recipe_for(request.user, recipe_id)
    if recipe is None:
        raise Http404("No such recipe in your account.")
    return recipe


def _forbidden(request, message, recipe_id=None, action=""):
    if action:
        services.audit(request, action, recipe_id, "denied", {"message": message})
    return render(request, "recipes/forbidden.html", {"message": message}, status=403)


def _clean_dc(value) -> str:
    value = (value or "").strip().upper()
    return value if value and len(value) <= 16 and value.isalnum() else ""


@login_required
@require_http_methods(["GET", "HEAD"])
def recipe_list(request):
    recipes = list(services.visible_recipes(request.user))
    rows = [{"recipe": r, "can_launch": services.may_launch(r, request.user)} for r in recipes]
    return render(
        request,
        "recipes/list.html",
        {
            "rows": rows,
            "is_admin": services.is_admin(request.user),
            "name_limit": services.name_limit(request.user.account_alias),
        },
    )


def _form_context(request, recipe=None):
    """Data centers, the chosen one's groups (active, createServer allowed) and capabilities."""
    data = request.POST if request.method == "POST" else request.GET
    client = client_for_request(request)
    alias = (request.user.account_alias or "").upper()
    datacenters = user_datacenters(request)
    known = {d["id"].upper() for d in datacenters}
    dc = _clean_dc(data.get("datacenter") or data.get("dc")) or (recipe.datacenter if recipe else "")
    if not dc and datacenters:
        dc = datacenters[0]["id"].upper()
    groups, capabilities = [], None
    if dc in known:
        view = selectors.datacenter_view(request.user, dc, client=client)
        groups = [g for g in view.groups if g.status == "active" and g.allows("createServer", "POST")]
        capabilities = clc_datacenters.deployment_capabilities(client, dc)
    users = User.objects.filter(account_alias=alias, is_active=True).values_list("cloud_username", flat=True)
    kwargs = {
        "alias": alias,
        "datacenters": datacenters,
        "groups": groups,
        "capabilities": capabilities,
        "users": list(users),
        "instance": recipe,
    }
    return dc, kwargs


def _edit(request, recipe=None):
    action = "update" if recipe else "create"
    if not services.is_admin(request.user):
        return _forbidden(
            request, "Only an account admin (AccountAdmin) may define recipes.", recipe and recipe.pk, action
        )
    dc, kwargs = _form_context(request, recipe)
    if request.method == "POST":
        form = RecipeForm(request.POST, **kwargs)
    else:
        initial = initial_of(recipe) if recipe else {"storage_type": "standard", "cpu": 1, "memory_gb": 2}
        if not recipe:
            initial["allowed_roles"] = ["AccountAdmin", "ServerAdmin", "ServerOperator"]
        if dc and (not recipe or dc != recipe.datacenter):
            initial.update({"datacenter": dc, "group": "", "template": "", "network": ""})
        form = RecipeForm(initial=initial, **kwargs)
    context = {"form": form, "recipe": recipe, "datacenter": dc, "capabilities": kwargs["capabilities"]}
    if request.method != "POST":
        return render(request, "recipes/form.html", context)
    if not form.is_valid():
        return render(request, "recipes/form.html", context, status=400)
    target = form.apply(recipe or Recipe(created_by=request.user))
    target.updated_by = request.user
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:  # a concurrent save took the name
        form.add_error("name", "Your account already has a recipe with this name.")
        return render(request, "recipes/form.html", context, status=400)
    services.audit(request, action, target.pk, "success", {"recipe": target.name})
    messages.success(request, f"Recipe “{target.name}” {'saved' if recipe else 'created'}.")
    return redirect("recipe-detail", target.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def recipe_new(request):
    return _edit(request)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def recipe_edit(request, recipe_id):
    return _edit(request, _recipe_or_404(request, recipe_id))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def recipe_delete(request, recipe_id):
    recipe = _recipe_or_404(request, recipe_id)
    if not services.is_admin(request.user):
        return _forbidden(
            request, "Only an account admin (AccountAdmin) may delete recipes.", recipe.pk, "delete"
        )
    if request.method != "POST":
        return render(request, "recipes/delete.html", {"recipe": recipe})
    name, pk = recipe.name, recipe.pk
    recipe.delete()
    services.audit(request, "delete", pk, "success", {"recipe": name})
    messages.success(request, f"Recipe “{name}” deleted. Servers launched from it are not affected.")
    return redirect("recipes")


def _detail_context(request, recipe, **extra):
    return {
        "recipe": recipe,
        "can_launch": services.may_launch(recipe, request.user),
        "why_not": services.why_not(recipe, request.user),
        "is_admin": services.is_admin(request.user),
        "name_limit": services.name_limit(request.user.account_alias),
        "alias": (request.user.account_alias or "").upper(),
        **extra,
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def recipe_detail(request, recipe_id):
    recipe = _recipe_or_404(request, recipe_id)
    return render(request, "recipes/detail.html", _detail_context(request, recipe))


@login_required
@require_POST
def recipe_launch(request, recipe_id):
    recipe = _recipe_or_404(request, recipe_id)

    def again(message, status):
        context = _detail_context(request, recipe, error=message, name=request.POST.get("name", "")[:64])
        return render(request, "recipes/detail.html", context, status=status)

    extra = sorted(set(request.POST) - LAUNCH_FIELDS)
    if extra:
        return again(
            f"A recipe's launch takes only a name; unexpected field(s): {', '.join(extra)[:200]}.", 400
        )
    try:
        key = services.check_key(request.POST.get(KEY_FIELD))
        if key is None:
            raise services.Refused(400, "This form has no key: reload the page and try again.")
        result = services.launch(request, recipe, request.POST.get("name"), key)
    except services.Refused as exc:
        return again(exc.message, exc.status)
    outcome = result.outcome
    if outcome.kind == "error":  # a replay (same key) answers as the first submission did
        return again(outcome.message or "The cloud refused this launch.", outcome.status)
    flash(request, outcome)
    if result.ttl and outcome.ok:
        messages.info(
            request,
            f"{result.server_id} has a time to live: the cloud deletes it at {result.ttl}.",
        )
    return redirect("group", recipe.group_id.lower())
