from django.contrib import admin

from maintenir.people.models import HabilitationType, Skill, Team

# Technicians, their habilitations and rosters are kept from the pages; the catalogues also here.
admin.site.register([HabilitationType, Skill, Team])
