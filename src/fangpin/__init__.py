"""fangpin (防贫): monitoring and assistance to prevent return to poverty."""
