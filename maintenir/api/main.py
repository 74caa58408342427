from ninja import NinjaAPI

api = NinjaAPI(title="Maintenir API", version="1", urls_namespace="api")
